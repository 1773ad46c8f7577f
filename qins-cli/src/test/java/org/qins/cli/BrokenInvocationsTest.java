package org.qins.cli;

import org.qins.transformer.checkpoint.ModelCopy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken invocations of every command, as a careless user or a script types them: each exits non-zero
 * with one line on stderr that names the option or file and says what is wrong (no stack trace, no
 * exception class, no bare number), writes nothing on stdout, and leaves no output behind. All are
 * refused before a model loads or runs, except the broken checkpoints, refused while loading.
 */
class BrokenInvocationsTest {

    private static final Path LLAMA = CompareCommandTest.LLAMA;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void brokenInputs() throws Exception {
        ModelCopy.of(LLAMA).asI32("model.norm.weight").writeTo(tmp.resolve("int-norm"));
        ModelCopy.of(LLAMA).extra("model.layers.0.self_attn.extra.weight", 1f, 2f).writeTo(tmp.resolve("extra-tensor"));
        ModelCopy.of(LLAMA).drop("model.layers.1.mlp.down_proj.weight").writeTo(tmp.resolve("missing-tensor"));
        ModelCopy.of(LLAMA).config(c -> c.putArray("architectures").add("GPT2LMHeadModel")).writeTo(tmp.resolve("gpt2"));
        Path badJson = ModelCopy.of(LLAMA).writeTo(tmp.resolve("bad-json"));
        Files.writeString(badJson.resolve("config.json"), "{\"hidden_size\": 96,");
        Path noConfig = ModelCopy.of(LLAMA).writeTo(tmp.resolve("no-config"));
        Files.delete(noConfig.resolve("config.json"));
        Path noWeights = ModelCopy.of(LLAMA).writeTo(tmp.resolve("no-weights"));
        Files.delete(noWeights.resolve("model.safetensors"));
        Path noTokenizer = ModelCopy.of(LLAMA).writeTo(tmp.resolve("no-tokenizer"));
        Files.delete(noTokenizer.resolve("tokenizer.json"));
        Files.writeString(tmp.resolve("a-file"), "not a directory");
        Files.writeString(tmp.resolve("bad-prompts.txt"), "1 2 3\nabc 4\n");
        Files.createDirectories(tmp.resolve("existing-dir"));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // generate: numbers checked against the model's config before it loads
                c("--top-logits 0: must be from 10 to 320 (the vocabulary size in {llama}/config.json",
                        "generate", "--model", "{llama}", "--prompt-ids", "1", "--top-logits", "0", "--json", "{tmp}/g.json"),
                c("--top-logits -1: must be from 10 to 320", "generate", "--model", "{llama}", "--prompt-ids", "1", "--top-logits", "-1",
                        "--json", "{tmp}/g.json"),
                c("--max-new-tokens -1: must be at least 0", "generate", "--model", "{llama}", "--prompt-ids", "1", "--max-new-tokens", "-1"),
                c("--prompt-ids (1 token) + --max-new-tokens 1000000000 = 1000000001 positions: more than the model's context of 512"
                        + " (max_position_embeddings in {llama}/config.json)",
                        "generate", "--model", "{llama}", "--prompt-ids", "1", "--max-new-tokens", "1000000000"),
                c("--prompt-ids (3 tokens) + --max-new-tokens 510 = 513 positions", "generate", "--model", "{llama}", "--prompt-ids",
                        "1,2,3", "--max-new-tokens", "510"),
                c("'99999999999' is out of range (-2147483648 to 2147483647)", "generate", "--model", "{llama}", "--prompt-ids", "1",
                        "--max-new-tokens", "99999999999"),
                c("'abc' is not a whole number", "generate", "--model", "{llama}", "--prompt-ids", "1", "--max-new-tokens", "abc"),
                c("'' is not a whole number", "generate", "--model", "{llama}", "--prompt-ids", "1", "--max-new-tokens", ""),
                c("--prompt-ids: no tokens; give at least one", "generate", "--model", "{llama}", "--prompt-ids", ","),
                c("--prompt-ids: token id -1 is outside the vocabulary [0, 320) of {llama}/config.json", "generate", "--model", "{llama}",
                        "--prompt-ids", "-1"),
                c("--prompt-ids: token id 320 is outside the vocabulary [0, 320)", "generate", "--model", "{llama}", "--prompt-ids", "5,320"),
                c("--temperature -1.0: must be a finite number, 0 (greedy) or more", "generate", "--model", "{llama}", "--prompt-ids", "1",
                        "--temperature", "-1"),
                c("--temperature NaN", "generate", "--model", "{llama}", "--prompt-ids", "1", "--temperature", "NaN"),
                c("--top-p 0.0: must be more than 0 and at most 1", "generate", "--model", "{llama}", "--prompt-ids", "1", "--top-p", "0"),
                c("--top-p 1.5: must be more than 0 and at most 1", "generate", "--model", "{llama}", "--prompt-ids", "1", "--top-p", "1.5"),
                c("--threads 0: must be from 1 to", "generate", "--model", "{llama}", "--prompt-ids", "1", "--threads", "0"),
                c("--threads 100000: must be from 1 to", "generate", "--model", "{llama}", "--prompt-ids", "1", "--threads", "100000"),
                // files and directories
                c("--json {tmp}/missing/g.json: the directory {tmp}/missing does not exist", "generate", "--model", "{llama}",
                        "--prompt-ids", "1", "--json", "{tmp}/missing/g.json"),
                c("--json {tmp}/existing-dir: a directory; give a file to write", "generate", "--model", "{llama}", "--prompt-ids", "1",
                        "--json", "{tmp}/existing-dir"),
                c("--json {tmp}/a-file/g.json: {tmp}/a-file is a file, not a directory", "generate", "--model", "{llama}",
                        "--prompt-ids", "1", "--json", "{tmp}/a-file/g.json"),
                c("--model {tmp}/missing: no such directory", "generate", "--model", "{tmp}/missing", "--prompt-ids", "1"),
                c("--model {llama}/config.json: a file, not a model directory", "generate", "--model", "{llama}/config.json",
                        "--prompt-ids", "1"),
                c("--model: empty path", "generate", "--model", "", "--prompt-ids", "1"),
                c("--model {tmp}/no-config: no config.json in it (found: generation_config.json, model.safetensors", "generate",
                        "--model", "{tmp}/no-config", "--prompt-ids", "1"),
                c("{tmp}/no-weights: no model.safetensors or model.safetensors.index.json", "generate", "--model", "{tmp}/no-weights",
                        "--prompt-ids", "1", "--threads", "1"),
                c("--prompt needs a tokenizer ({tmp}/no-tokenizer/tokenizer.json or a GGUF vocabulary), which is missing: give --prompt-ids", "generate", "--model",
                        "{tmp}/no-tokenizer", "--prompt", "hello"),
                c("{tmp}/int-norm/model.safetensors: tensor 'model.norm.weight' is I32[96]", "generate", "--model", "{tmp}/int-norm",
                        "--prompt-ids", "1", "--threads", "1"),
                c("--follow {tmp}/missing.json: no such file", "generate", "--model", "{llama}", "--follow", "{tmp}/missing.json",
                        "--json", "{tmp}/g.json"),
                c("--follow {tmp}/existing-dir: a directory, not a file", "generate", "--model", "{llama}", "--follow",
                        "{tmp}/existing-dir", "--json", "{tmp}/g.json"),
                c("--follow needs --json FILE", "generate", "--model", "{llama}", "--follow", "{llama}/reference.json"),
                c("give exactly one of --prompt, --prompt-ids or --follow", "generate", "--model", "{llama}", "--prompt", "a",
                        "--prompt-ids", "1"),
                c("Unknown options: '--top-k', '3'; did you mean --top-p or --top-logits?", "generate", "--model", "{llama}",
                        "--prompt-ids", "1", "--top-k", "3"),
                c("Missing required option: '--model=<model>'", "generate", "--prompt-ids", "1"),
                // chat
                c("--max-new-tokens 0: must be from 1 to 511 (the model's context of 512 less one token for the prompt)", "chat",
                        "--model", "{llama}", "--max-new-tokens", "0"),
                c("--model {tmp}/missing: no such directory", "chat", "--model", "{tmp}/missing"),
                // compare
                c("--steps 0: must be at least 1", "compare", "--model", "{llama}", "--reference", "fp32", "--candidate", "qins",
                        "--steps", "0"),
                c("standard prompt 1 (1 token) + --steps 100000 = 100001 positions: more than the model's context of 512", "compare",
                        "--model", "{llama}", "--reference", "fp32", "--candidate", "qins", "--steps", "100000"),
                c("--prompts-file {tmp}/bad-prompts.txt line 2: 'abc' is not a token id", "compare", "--model", "{llama}",
                        "--reference", "fp32", "--candidate", "qins", "--prompts-file", "{tmp}/bad-prompts.txt"),
                c("--prompts-file {tmp}/existing-dir: a directory, not a file", "compare", "--model", "{llama}", "--reference", "fp32",
                        "--candidate", "qins", "--prompts-file", "{tmp}/existing-dir"),
                c("--text {tmp}/missing.txt: no such file", "compare", "--model", "{llama}", "--reference", "fp32", "--candidate", "qins",
                        "--text", "{tmp}/missing.txt"),
                c("--candidate nonesuch: no linear provider of that name; the classpath has", "compare", "--model", "{llama}",
                        "--reference", "fp32", "--candidate", "nonesuch"),
                c("--reference {tmp}/missing.json: no linear provider of that name (nor an existing file)", "compare", "--model",
                        "{llama}", "--reference", "{tmp}/missing.json", "--candidate", "qins"),
                c("--kv nonesuch: no KV cache provider of that name", "compare", "--model", "{llama}", "--reference", "fp32",
                        "--candidate", "qins", "--kv", "nonesuch"),
                c("--json {tmp}/missing/c.json: the directory {tmp}/missing does not exist", "compare", "--model", "{llama}",
                        "--reference", "fp32", "--candidate", "qins", "--json", "{tmp}/missing/c.json"),
                // convert: the source checked against its config before anything is written
                c("--output {tmp}/existing-dir: already exists", "convert", "--model", "{llama}", "--output", "{tmp}/existing-dir"),
                c("--output {tmp}/missing/out: the directory {tmp}/missing does not exist", "convert", "--model", "{llama}", "--output",
                        "{tmp}/missing/out"),
                c("{tmp}/int-norm/model.safetensors: tensor 'model.norm.weight' is I32[96], config.json's model reads it as a float"
                        + " tensor (F32, F16 or BF16) of shape [96]", "convert", "--model", "{tmp}/int-norm", "--output", "{tmp}/converted"),
                c("{tmp}/extra-tensor: 1 tensor(s) that config.json's model does not use (3 layers, tie_word_embeddings false):"
                        + " [model.layers.0.self_attn.extra.weight]", "convert", "--model", "{tmp}/extra-tensor", "--output",
                        "{tmp}/converted"),
                c("{tmp}/missing-tensor: no tensor 'model.layers.1.mlp.down_proj.weight', which config.json's model reads", "convert",
                        "--model", "{tmp}/missing-tensor", "--output", "{tmp}/converted"),
                c("{tmp}/gpt2/config.json: unsupported architecture 'GPT2LMHeadModel'", "convert", "--model", "{tmp}/gpt2",
                        "--output", "{tmp}/converted"),
                c("cannot read {tmp}/bad-json/config.json: not valid JSON: Unexpected end-of-input", "convert", "--model",
                        "{tmp}/bad-json", "--output", "{tmp}/converted"),
                c("--model {tmp}/no-config: no config.json in it", "convert", "--model", "{tmp}/no-config", "--output",
                        "{tmp}/converted"),
                c("no weight format named 'nonesuch'", "convert", "--model", "{llama}", "--output", "{tmp}/converted", "--format",
                        "nonesuch"),
                c("--shard-size 'five': expected a size such as 5GB, 500MB, 4GiB or 1000000", "convert", "--model", "{llama}",
                        "--output", "{tmp}/converted", "--shard-size", "five"),
                c("--shard-size '0' must be at least 1 byte", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--shard-size", "0"),
                // convert --calibrate: every value and the format checked before the calibration pass runs
                c("--calibration-samples applies with --calibrate only", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibration-samples", "4"),
                c("--calibration-text applies with --calibrate only", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibration-text", "{tmp}/bad-prompts.txt"),
                c("--calibration-samples 0: must be from 1 to 8192", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibrate", "--calibration-samples", "0"),
                c("--calibration-length 512: must be from 1 to 511 (BOS + L tokens within max_position_embeddings in"
                        + " {llama}/config.json)", "convert", "--model", "{llama}", "--output", "{tmp}/converted", "--calibrate",
                        "--calibration-length", "512"),
                c("--calibration-length 0: must be from 1 to 512", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibrate", "--calibration-text", "{tmp}/bad-prompts.txt", "--calibration-length", "0"),
                c("--calibration-text {tmp}/missing.txt: no such file", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibrate", "--calibration-text", "{tmp}/missing.txt"),
                c("--calibration-seed applies to generated samples, not to --calibration-text", "convert", "--model", "{llama}",
                        "--output", "{tmp}/converted", "--calibrate", "--calibration-text", "{tmp}/bad-prompts.txt", "--calibration-seed",
                        "3"),
                c("--encode-head cannot be combined with --calibrate", "convert", "--model", "{llama}", "--output", "{tmp}/converted",
                        "--calibrate", "--encode-head"),
                c("--calibrate: weight format 'f32' cannot encode with calibration statistics (it does not implement"
                        + " CalibratedEncoding)", "convert", "--model", "{llama}", "--output", "{tmp}/converted", "--calibrate", "--format",
                        "f32"),
                c("--calibrate: weight format 'qins9': calibrated encoding needs policy=clipped (one code step for every group), not"
                        + " minmax", "convert", "--model", "{llama}", "--output", "{tmp}/converted", "--calibrate", "--policy", "minmax"),
                c("--calibrate: {tmp}/no-tokenizer has no tokenizer to read the calibration text {tmp}/bad-prompts.txt with", "convert",
                        "--model", "{tmp}/no-tokenizer", "--output", "{tmp}/converted", "--calibrate", "--calibration-text",
                        "{tmp}/bad-prompts.txt"),
                // report: paths and numbers checked before a weight is read
                c("--output {tmp}/existing-dir: already exists", "report", "--model", "{llama}", "--source", "{llama}", "--output",
                        "{tmp}/existing-dir"),
                c("--source {tmp}/no-config: no config.json in it", "report", "--model", "{llama}", "--source", "{tmp}/no-config",
                        "--output", "{tmp}/converted"),
                c("--model {tmp}/a-file: a file, not a model directory", "report", "--model", "{tmp}/a-file", "--source", "{llama}",
                        "--output", "{tmp}/converted"),
                c("--reference {tmp}/missing.json: no such file", "report", "--model", "{llama}", "--source", "{llama}", "--output",
                        "{tmp}/converted", "--reference", "{tmp}/missing.json"),
                c("--steps 0: must be at least 1", "report", "--model", "{llama}", "--source", "{llama}", "--output", "{tmp}/converted",
                        "--steps", "0"),
                // demo
                c("--shape 0,0,0,0,0,0: '0' is not a positive whole number", "demo", "--shape", "0,0,0,0,0,0", "--cache-dir",
                        "{tmp}/demo"),
                c("--shape 8,1,3,2,4,16: hidden 8 must divide by heads 3", "demo", "--shape", "8,1,3,2,4,16", "--cache-dir", "{tmp}/demo"),
                c("--shape abc: expected demo, tinyllama-1b, phi3.5-mini, llama3-8b or", "demo", "--shape", "abc", "--cache-dir", "{tmp}/demo"),
                c("--json {tmp}/missing/d.json: the directory {tmp}/missing does not exist", "demo", "--cache-dir", "{tmp}/demo",
                        "--json", "{tmp}/missing/d.json"),
                // serve and serve-bench
                c("--port 70000: must be from 0 to 65535", "serve", "--model", "{llama}", "--port", "70000"),
                c("--max-context 100000: must be from 2 to 512 (max_position_embeddings in {llama}/config.json)", "serve", "--model",
                        "{llama}", "--max-context", "100000"),
                c("--max-sequences 0: must be at least 1", "serve", "--model", "{llama}", "--max-sequences", "0"),
                c("--shutdown-grace -1: must be at least 0", "serve", "--model", "{llama}", "--shutdown-grace", "-1"),
                c("--api-key: blank", "serve", "--model", "{llama}", "--api-key", " "),
                c("--url nope: give an http:// or https:// URL with a host", "serve-bench", "--url", "nope"),
                c("--concurrency 0: must be from 1 to 1024", "serve-bench", "--concurrency", "0"),
                c("no answer from http://127.0.0.1:1/health: is qins serve running there?", "serve-bench", "--url", "http://127.0.0.1:1",
                        "--warmup", "0"),
                // providers and the command itself
                c("--linear nonesuch: no linear provider of that name", "providers", "--linear", "nonesuch"),
                c("--format nonesuch: no weight format of that name", "providers", "--format", "nonesuch"),
                c("unknown command 'nonesuch'", "nonesuch"),
                c("unknown command 'genrate'; did you mean generate?", "genrate"));
    }

    private static Arguments c(String expected, String... args) {
        return Arguments.of(String.join(" ", args), expected, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithOneClearLine(String invocation, String expected, String[] args) {
        String[] resolved = Arrays.stream(args).map(BrokenInvocationsTest::resolve).toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), resolved);
        String line = err.toString().strip();
        assertThat(rc).as(line).isNotZero();
        assertThat(line).as("one line").doesNotContain("\n").startsWith("qins: ").contains(resolve(expected));
        assertThat(line).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("internal error");
        assertThat(out.toString()).isEmpty();
        assertThat(tmp.resolve("converted")).doesNotExist();
        assertThat(tmp.resolve("missing")).doesNotExist();
        assertThat(tmp.resolve("g.json")).doesNotExist();
    }

    private static String resolve(String s) {
        return s.replace("{llama}", LLAMA.toString()).replace("{tmp}", tmp.toString());
    }
}
