package org.qins.cli;

import org.qins.transformer.source.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.qins.tools.validate.CompareReport;
import org.qins.tools.validate.Comparer;
import org.qins.tools.validate.StandardPrompts;
import org.qins.transformer.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code qins compare}: a candidate provider against a reference provider or a reference file; a validation report. */
@Command(name = "compare", description = {"Run a reference and a candidate on the same prompts and score the candidate "
        + "(compare.py's metrics): greedy match, first divergence, teacher-forced top-1, top-10 overlap, KL; "
        + "perplexity with --text.",
    "Verdict: PASS when teacher-forced top-1 >= 0.99 and mean KL <= 1e-3. Exit status 0 on PASS, 2 on FAIL."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory (float or converted), or a GGUF file.")
    Path model;

    @Option(names = "--candidate-model", description = "Model directory of the candidate (default: --model), e.g. a converted copy.")
    Path candidateModel;

    @Option(names = "--reference", required = true,
            description = "A linear provider name (fp32, qins, ...) run over --model, or an llm-ref/1 file (its prompts and steps are used).")
    String reference;

    @Option(names = "--candidate", required = true, description = "Linear provider of the candidate (qins, qins-legacy, fp32, ...).")
    String candidate;

    @Option(names = "--kv", description = "KV cache of the candidate (fp32, qins). Default: highest priority.")
    String kv;

    @Option(names = "--reference-kv", defaultValue = "fp32", description = "KV cache of a provider reference. Default: ${DEFAULT-VALUE}.")
    String referenceKv;

    @Option(names = "--steps", description = "Greedy steps per prompt (provider reference). Default: 64.")
    Integer steps;

    @Option(names = "--prompt-ids", split = ",", description = "One prompt as token ids (BOS not added).")
    int[] promptIds;

    @Option(names = "--prompts-file", description = "Prompts as token ids, one prompt per line (comma or space separated).")
    Path promptsFile;

    @Option(names = "--text", description = "Text file: perplexity of both sides on it (model's tokenizer, chunks of the model's context).")
    Path text;

    @Option(names = "--json", description = "Write every number to this file.")
    Path json;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path refFile = Files.isRegularFile(Path.of(reference)) ? Path.of(reference) : null;
        if (refFile != null && (promptIds != null || promptsFile != null || steps != null)) {
            throw new ParameterException(spec.commandLine(), "a reference file brings its own prompts and steps: drop --prompt-ids,"
                    + " --prompts-file and --steps");
        }
        if (promptIds != null && promptsFile != null) {
            throw new ParameterException(spec.commandLine(), "give --prompt-ids or --prompts-file, not both");
        }
        int vocab = ModelSource.of(model).config().vocabSize();
        List<int[]> prompts = promptIds != null ? List.of(promptIds)
                : promptsFile != null ? readPrompts(promptsFile) : StandardPrompts.forVocab(vocab);
        int[] textIds = null;
        if (text != null) {
            try (Tokenizer tok = ModelSource.of(model).tokenizer()) {
                textIds = tok.encode(Files.readString(text));
            }
        }
        CompareReport report;
        try (QinsEngine engine = threads.engine().build()) {
            Comparer.Side ref = refFile != null ? (text != null ? new Comparer.Side(model, "fp32", referenceKv) : null)
                    : new Comparer.Side(model, reference, referenceKv);
            Comparer.Side cand = new Comparer.Side(candidateModel != null ? candidateModel : model, candidate, kv);
            report = new Comparer(engine).compare(ref, refFile, cand, prompts, steps != null ? steps
                    : StandardPrompts.DEFAULT_STEPS, textIds);
        }
        report.print(out);
        if (json != null) {
            Json.write(report.toJson(), json);
            out.printf("wrote %s%n", json);
            out.flush();
        }
        return report.verdict().pass() ? 0 : 2;
    }

    private static List<int[]> readPrompts(Path file) throws java.io.IOException {
        List<int[]> prompts = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            prompts.add(Arrays.stream(t.split("[,\\s]+")).mapToInt(Integer::parseInt).toArray());
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no prompts");
        }
        return prompts;
    }
}
