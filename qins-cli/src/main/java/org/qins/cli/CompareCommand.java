package org.qins.cli;

import org.qins.transformer.source.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.qins.tools.validate.CompareReport;
import org.qins.tools.validate.Comparer;
import org.qins.tools.validate.StandardPrompts;
import org.qins.api.KvCacheProvider;
import org.qins.api.LinearLayerProvider;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import org.qins.transformer.QinsEngine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

    @Option(names = "--prompt-text", description = "A prompt as text, tokenized with the model's tokenizer (as generate --prompt);"
            + " repeat for several. Teacher-forced positions = each prompt's tokens + --steps.")
    List<String> promptTexts;

    @Option(names = "--text", description = "Text file: perplexity of both sides on it (model's tokenizer, chunks of the model's context).")
    Path text;

    @Option(names = "--json", description = "Write every number to this file.")
    Path json;

    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Checks check = new Checks(spec);
        Path refFile = Files.isRegularFile(Path.of(reference)) ? Path.of(reference) : null;
        if (refFile != null && (promptIds != null || promptsFile != null || promptTexts != null || steps != null)) {
            throw check.fail("a reference file brings its own prompts and steps: drop --prompt-ids, --prompts-file, --prompt-text"
                    + " and --steps");
        }
        if ((promptIds != null ? 1 : 0) + (promptsFile != null ? 1 : 0) + (promptTexts != null ? 1 : 0) > 1) {
            throw check.fail("give one of --prompt-ids, --prompts-file or --prompt-text");
        }
        int nSteps = steps != null ? steps : StandardPrompts.DEFAULT_STEPS;
        check.atLeast("--steps", nSteps, 1);
        if (json != null) {
            check.outputFile("--json", json);
        }
        if (text != null) {
            check.inputFile("--text", text);
        }
        ModelConfig config = check.model("--model", model);
        Path candDir = candidateModel != null ? candidateModel : model;
        ModelConfig candConfig = candidateModel != null ? check.model("--candidate-model", candidateModel) : config;
        if (candConfig.vocabSize() != config.vocabSize()) {
            throw check.fail("--candidate-model " + candidateModel + " has a vocabulary of " + candConfig.vocabSize() + ", --model "
                    + model + " one of " + config.vocabSize() + ": they are not the same model");
        }
        ModelConfig narrower = candConfig.maxPositionEmbeddings() < config.maxPositionEmbeddings() ? candConfig : config;
        Path narrowerDir = narrower == config ? model : candDir;
        List<int[]> prompts = List.of();
        if (refFile != null) {
            References.read(check, "--reference", refFile, narrower, narrowerDir);
        } else {
            prompts = promptIds != null ? List.of(promptIds)
                    : promptsFile != null ? readPrompts(check, check.inputFile("--prompts-file", promptsFile))
                    : promptTexts != null ? tokenize(promptTexts)
                    : StandardPrompts.forVocab(config.vocabSize());
            for (int i = 0; i < prompts.size(); i++) {
                String what = promptIds != null ? "--prompt-ids" : promptsFile != null ? "--prompts-file " + promptsFile + ": prompt "
                        + (i + 1) : promptTexts != null ? "--prompt-text " + (i + 1) : "standard prompt " + (i + 1);
                check.tokenIds(what, prompts.get(i), narrower, narrowerDir);
                check.fits(what, prompts.get(i).length, "--steps", nSteps, narrower, narrowerDir);
            }
        }
        int[] textIds = null;
        if (text != null) {
            try (Tokenizer tok = ModelSource.of(model).tokenizer()) {
                textIds = tok.encode(Files.readString(text));
            }
            if (textIds.length < 2) {
                throw check.fail("--text " + text + ": " + textIds.length + " token(s); perplexity needs at least 2");
            }
        }
        CompareReport report;
        try (QinsEngine engine = threads.engine().build()) {
            ProviderRegistry providers = engine.providers().registry();
            if (refFile == null) {
                requireLinear(check, providers, "--reference", reference, " (nor an existing file)");
            }
            requireLinear(check, providers, "--candidate", candidate, "");
            requireKv(check, providers, "--kv", kv);
            requireKv(check, providers, "--reference-kv", referenceKv);
            Comparer.Side ref = refFile != null ? (text != null ? new Comparer.Side(model, "fp32", referenceKv) : null)
                    : new Comparer.Side(model, reference, referenceKv);
            Comparer.Side cand = new Comparer.Side(candDir, candidate, kv);
            report = new Comparer(engine).compare(ref, refFile, cand, prompts, nSteps, textIds);
        }
        report.print(out);
        if (json != null) {
            Json.write(report.toJson(), json);
            out.printf("wrote %s%n", json);
            out.flush();
        }
        return report.verdict().pass() ? 0 : 2;
    }

    private static void requireLinear(Checks check, ProviderRegistry providers, String option, String name, String orFile) {
        if (!providers.hasLinear(name)) {
            throw check.fail(option + " " + name + ": no linear provider of that name" + orFile + "; the classpath has "
                    + providers.linearProviders().stream().map(LinearLayerProvider::name).toList());
        }
    }

    private static void requireKv(Checks check, ProviderRegistry providers, String option, String name) {
        if (name != null && !providers.hasKv(name)) {
            throw check.fail(option + " " + name + ": no KV cache provider of that name; the classpath has "
                    + providers.kvProviders().stream().map(KvCacheProvider::name).toList());
        }
    }

    /** Each text as the model's tokenizer encodes it (as generate --prompt). */
    private List<int[]> tokenize(List<String> texts) {
        List<int[]> prompts = new ArrayList<>();
        try (Tokenizer tok = ModelSource.of(model).tokenizer()) {
            for (String t : texts) {
                prompts.add(tok.encode(t));
            }
        }
        return prompts;
    }

    /** Prompts as token ids, one per line; blank lines and lines starting with # are skipped. */
    private static List<int[]> readPrompts(Checks check, Path file) throws java.io.IOException {
        List<int[]> prompts = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int n = 0; n < lines.size(); n++) {
            String t = lines.get(n).trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] words = t.split("[,\\s]+");
            int[] ids = new int[words.length];
            for (int i = 0; i < words.length; i++) {
                try {
                    ids[i] = Integer.parseInt(words[i]);
                } catch (NumberFormatException e) {
                    throw check.fail("--prompts-file " + file + " line " + (n + 1) + ": '" + words[i] + "' is not a token id");
                }
            }
            prompts.add(ids);
        }
        if (prompts.isEmpty()) {
            throw check.fail("--prompts-file " + file + ": holds no prompts");
        }
        return prompts;
    }
}
