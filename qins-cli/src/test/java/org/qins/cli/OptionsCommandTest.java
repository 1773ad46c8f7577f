package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.transformer.checkpoint.Checkpoint;

/** Provider and format options are declared by their owners, listed by {@code qins providers} and checked before any work. */
class OptionsCommandTest {

    private static final Path LLAMA = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");

    private record Run(int rc, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void aMisspeltLayerOptionIsAnErrorThatListsTheValidOnes() {
        Run r = run("generate", "--model", LLAMA.toString(), "--prompt-ids", "1", "--linear", "qins", "--layer-option",
                "decoded-cahce=true");
        assertThat(r.rc()).isNotZero();
        assertThat(r.err()).contains("unknown option 'decoded-cahce' for linear provider 'qins'")
                .contains("decoded-cache (boolean, default false)").contains("kernel (auto|native|bf16|vector|table32|tiled|scalar");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anIllTypedLayerOptionAndAnOptionTheProviderDoesNotTakeAreErrors() {
        Run maybe = run("generate", "--model", LLAMA.toString(), "--prompt-ids", "1", "--linear", "qins", "--layer-option",
                "decoded-cache=maybe");
        assertThat(maybe.rc()).isNotZero();
        assertThat(maybe.err()).contains("option 'decoded-cache' must be true or false, got 'maybe'");
        Run fp = run("generate", "--model", LLAMA.toString(), "--prompt-ids", "1", "--linear", "fp32", "--layer-option",
                "decoded-cache=true");
        assertThat(fp.rc()).isNotZero();
        assertThat(fp.err()).contains("unknown option 'decoded-cache' for linear provider 'fp32'; valid options: kernel (auto|native|vector");
        Run legacy = run("generate", "--model", LLAMA.toString(), "--prompt-ids", "1", "--linear", "qins-legacy", "--layer-option",
                "decoded-cache=true");
        assertThat(legacy.rc()).isNotZero();
        assertThat(legacy.err()).contains("for linear provider 'qins-legacy'; it takes no options");
    }

    @Test
    void convertTakesTheFormatsOptionsAndTheShorthands(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("q8row");
        Run ok = run("convert", "--model", LLAMA.toString(), "--output", out.toString(), "--format", "qins8", "--format-option",
                "group=row", "--policy", "mse");
        assertThat(ok.rc()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("as qins8");
        try (Checkpoint c = Checkpoint.open(out)) {
            assertThat(c.linear("model.layers.0.mlp.up_proj").metadata()).containsEntry("qins.group", "row")
                    .containsEntry("qins.policy", "mse");
        }
        Run bad = run("convert", "--model", LLAMA.toString(), "--output", tmp.resolve("bad").toString(), "--format-option", "widht=6");
        assertThat(bad.rc()).isNotZero();
        assertThat(bad.err()).contains("unknown option 'widht' for weight format 'qins9'").contains("width (number, default 7.9375)");
        assertThat(Files.exists(tmp.resolve("bad"))).isFalse();
        Run unknown = run("convert", "--model", LLAMA.toString(), "--output", tmp.resolve("x").toString(), "--format", "q4_k");
        assertThat(unknown.err()).contains("no weight format named 'q4_k'").contains("qins9");
    }

    @Test
    void providersListsFormatsProvidersAndTheirOptions() {
        Run r = run("providers");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).contains("Weight formats").contains("qins9").contains("option group (text, default 32)")
                .contains("option decoded-cache (boolean, default false)").contains("DEPRECATED")
                .contains("Selected linear provider for f32 weights: qins");
        assertThat(r.out()).contains("Model architectures").contains("Qwen3ForCausalLM     model_type qwen3; q, k, v, gate, up; q/k RMSNorm")
                .contains("Phi3ForCausalLM      model_type phi3; fused qkv, fused gate/up")
                .contains("MistralForCausalLM   model_type mistral; q, k, v, gate, up; sliding window by sliding_window");
    }
}
