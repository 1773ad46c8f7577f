package org.qins.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.qins.onnx.export.ExportReport;
import org.qins.onnx.export.OnnxExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins export-onnx}: a converted checkpoint as an ONNX model whose weights stay QINS. */
@Command(name = "export-onnx", description = "Export a converted (QINS) checkpoint as an ONNX model (opset " + OnnxExporter.OPSET
        + "): QINS codes, sign planes and scales stored as they are and decoded by graph nodes; KV cache as inputs"
        + " past_key_values.N.key/value and outputs present.N.key/value.")
final class ExportOnnxCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Converted model directory (qins convert's output).")
    Path model;

    @Option(names = "--output", required = true, description = "The .onnx file to write (written whole or not at all).")
    Path output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        ExportReport r = new OnnxExporter().export(model, output);
        out.printf("Exported %s -> %s in %.1f s: %,d bytes (checkpoint tensors %,d bytes), %d nodes, %d initializers, opset %d%n", model,
                output, (System.nanoTime() - t0) / 1e9, r.fileBytes(), r.checkpointBytes(), r.nodes(), r.initializers(),
                OnnxExporter.OPSET);
        out.flush();
        return 0;
    }
}
