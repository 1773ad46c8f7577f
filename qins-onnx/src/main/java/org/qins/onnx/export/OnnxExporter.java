package org.qins.onnx.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qins.onnx.graph.OnnxGraph;
import org.qins.onnx.proto.ProtoMessage;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.io.AtomicFiles;
import org.qins.transformer.source.ModelSource;

/**
 * {@code qins export-onnx}: a converted (QINS) checkpoint as one ONNX file, opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}. Weights stay as stored (QINS codes, sign planes and scales; float embeddings, norms,
 * biases and head) and are decoded by graph nodes ({@link QinsDecode}); the decoder is {@link DecoderGraph}. The
 * file is written whole or not at all. Protobuf caps one file at 2 GiB: larger models are refused (ONNX's
 * external data is not written).
 */
public final class OnnxExporter {

    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;
    static final long MAX_PROTO_BYTES = (1L << 31) - 1;

    public ExportReport export(Path model, Path output) {
        ModelSource source = ModelSource.of(model);
        ModelConfig config = source.config();
        try (Checkpoint ckpt = source.openCheckpoint(config)) {
            OnnxGraph g = new OnnxGraph();
            new DecoderGraph(config, ckpt, g).build();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("qins.architecture", config.architecture().className());
            meta.put("qins.source", model.getFileName().toString());
            ckpt.metadata().entrySet().stream().filter(e -> e.getKey().startsWith("qins.")).forEach(e -> meta.put(e.getKey(), e.getValue()));
            ProtoMessage m = g.model(IR_VERSION, OPSET, "qins-java", "0.1.0", "Exported by qins export-onnx from " + model.getFileName()
                    + ": linear weights decoded from their stored QINS parts by graph nodes; inputs input_ids, attention_mask,"
                    + " position_ids, past_key_values.N.key/value; outputs logits, present.N.key/value.", meta);
            if (m.size() > MAX_PROTO_BYTES) {
                throw new IllegalArgumentException(model + ": the ONNX file would be " + m.size() + " bytes; a protobuf file holds at"
                        + " most 2 GiB and this exporter does not write ONNX external data");
            }
            AtomicFiles.write(output, out -> {
                BufferedOutputStream b = new BufferedOutputStream(out, 1 << 16);
                m.writeTo(b);
                b.flush();
            });
            long checkpointBytes = ckpt.tensorNames().stream().mapToLong(n -> ckpt.tensor(n).data().byteSize()).sum();
            return new ExportReport(size(output), checkpointBytes, g.initializerBytes(), g.nodeCount(), g.initializerCount());
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the size of " + p + ": " + e.getMessage(), e);
        }
    }
}
