package org.qins.cli;

import org.qins.transformer.source.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.qins.api.KvCacheProvider;
import org.qins.transformer.generate.GenerationOptions;
import org.qins.transformer.generate.GenerationResult;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.tokenizer.StreamDecoder;
import org.qins.transformer.tokenizer.Tokenizer;
import org.qins.tools.validate.CandidateWriter;
import org.qins.tools.validate.Follower;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.LogitRow;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qins generate}: text or token ids in, streamed text out; or {@code --follow} a reference file. */
@Command(name = "generate", description = "Generate text with a Llama or Phi-3 model, or follow a reference file (--follow).")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Hugging Face model directory, or a GGUF file (F32, F16, BF16, Q8_0).")
    Path model;

    @Option(names = "--prompt", description = "Prompt text (tokenized with the model's tokenizer.json).")
    String prompt;

    @Option(names = "--prompt-ids", split = ",", description = "Prompt token ids, e.g. 1,2,3 (BOS is not added).")
    int[] promptIds;

    @Option(names = "--follow", description = "Reference file (llm-ref/1): run its prompts greedily and teacher-forced; needs --json.")
    Path follow;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass. Default: ${DEFAULT-VALUE}.")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    ModelRunOptions run;

    @Option(names = "--json", description = "Write the run in the llm-ref/1 schema to this file.")
    Path json;

    /** Fewest top logits an llm-ref/1 file keeps per position. */
    static final int MIN_TOP_LOGITS = 10;

    @Option(names = "--top-logits", defaultValue = "20", description = "Logits per position in --json (10 to the vocabulary size). "
            + "Default: ${DEFAULT-VALUE}.")
    int topLogits;

    @Option(names = "--no-stop", description = "Do not stop at EOS.")
    boolean noStop;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Checks check = new Checks(spec);
        int inputs = (prompt != null ? 1 : 0) + (promptIds != null ? 1 : 0) + (follow != null ? 1 : 0);
        if (inputs != 1) {
            throw check.fail("give exactly one of --prompt, --prompt-ids or --follow");
        }
        if (follow != null && json == null) {
            throw check.fail("--follow needs --json FILE for the candidate");
        }
        check.atLeast("--max-new-tokens", maxNewTokens, 0);
        check.temperature(temperature);
        check.topP(topP);
        if (json != null) {
            check.outputFile("--json", json);
        }
        ModelConfig config = check.model("--model", model);
        if (json != null) {
            check.within("--top-logits", topLogits, MIN_TOP_LOGITS, config.vocabSize(), "the vocabulary size in "
                    + model.resolve("config.json") + "; llm-ref/1 keeps at least " + MIN_TOP_LOGITS);
        }
        LlmRef ref = follow != null ? References.read(check, "--follow", follow, config, model) : null;
        ModelSource files = ModelSource.of(model);
        if (prompt != null && !files.hasTokenizer()) {
            throw check.fail("--prompt needs a tokenizer (" + model.resolve("tokenizer.json") + " or a GGUF vocabulary), which is"
                    + " missing: give --prompt-ids");
        }
        try (Tokenizer tokenizer = files.hasTokenizer() ? files.tokenizer() : null) {
            int[] ids = null;
            if (ref == null) {
                ids = prompt != null ? tokenizer.encode(prompt) : promptIds;
                check.tokenIds(prompt != null ? "--prompt" : "--prompt-ids", ids, config, model);
                check.fits(prompt != null ? "the --prompt" : "--prompt-ids", ids.length, "--max-new-tokens", maxNewTokens, config,
                        model);
            }
            try (QinsEngine engine = run.engine()) {
                KvCacheProvider cache = engine.kvCache();
                int n = engine.threads();
                long t0 = System.nanoTime();
                try (CausalLm lm = engine.load(model)) {
                    err.printf("loaded %s (%d layers) in %.2f s; linear layers %s, %.1f MB; %d threads%n", model,
                            lm.config().layers(), (System.nanoTime() - t0) / 1e9, lm.describeLinear(), lm.linearBytes() / 1e6, n);
                    err.flush();
                    Map<String, Object> source = source(lm, cache, n);
                    if (ref != null) {
                        CandidateWriter.write(new Follower(lm, cache, topLogits).follow(ref, source), json);
                        err.printf("wrote %s (%d prompts, %d steps each)%n", json, ref.prompts().size(), ref.nSteps());
                        return 0;
                    }
                    return generate(lm, cache, tokenizer, ids, source, out, err);
                }
            }
        }
    }

    private int generate(CausalLm lm, KvCacheProvider cache, Tokenizer tokenizer, int[] ids, Map<String, Object> source,
            PrintWriter out, PrintWriter err) {
        Set<Integer> stops = noStop ? Set.of() : Set.copyOf(lm.config().eosTokenIds());
        GenerationOptions options = new GenerationOptions(maxNewTokens, temperature, topP, seed, stops);
        StreamDecoder stream = tokenizer == null ? null : new StreamDecoder(tokenizer);
        int vocab = lm.config().vocabSize();
        List<LogitRow> steps = new ArrayList<>();
        if (stream != null && prompt != null) {
            out.print(prompt);
        }
        GenerationResult r = new Generator(lm, cache).generate(ids, options, (step, token, logits) -> {
            if (json != null) {
                steps.add(LogitRow.of(logits, 0, vocab, topLogits));
            }
            out.print(stream != null ? stream.push(token) : (step == 0 ? "" : " ") + token);
            out.flush();
        });
        if (stream != null) {
            out.print(stream.flush());
        }
        out.println();
        out.flush();
        err.printf("%d prompt tokens, %d new tokens%s; prefill %.1f ms%s%n", ids.length, r.tokens().length,
                r.stoppedOnEos() ? " (stopped at EOS)" : "", r.prefillNanos() / 1e6,
                r.tokens().length > 1 ? String.format(", decode %.2f tokens/s", r.decodeTokensPerSecond()) : "");
        if (json != null) {
            CandidateWriter.write(new Follower(lm, cache, topLogits).record(ids, r.tokens(), steps, source), json);
            err.printf("wrote %s%n", json);
        }
        return 0;
    }

    private Map<String, Object> source(CausalLm lm, KvCacheProvider cache, int n) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", "qins-java");
        s.put("linear", lm.describeLinear());
        s.put("kv", cache.name());
        s.put("dtype", "float32");
        s.put("threads", n);
        return s;
    }
}
