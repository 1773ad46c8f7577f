package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @Test
    void twoProvidersSideBySide(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m");
        assertThat(QinsCommand.run("synth", "--shape", "64,2,4,2,128,256", "--dtype", "f32", "--output", model.toString())).isZero();
        Path json = tmp.resolve("b.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = QinsCommand.run(new PrintWriter(out), new PrintWriter(err), "bench", "--model", model.toString(),
                "--linear", "fp32", "--linear", "qins", "--kv", "qins", "--prompt-tokens", "16", "--new-tokens", "16",
                "--warmup", "1", "--threads", "2", "--json", json.toString());
        assertThat(rc).isZero();
        assertThat(out.toString()).contains("decode tokens/s", "fp32 / kv qins", "qins / kv qins", "(x",
                "every configuration also ran once untimed first");
        // both ran untimed before either was timed (the JIT is shared)
        assertThat(err.toString()).contains("bench: untimed first run of fp32", "bench: untimed first run of qins");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j).hasSize(2);
        for (String key : new String[] {"linear", "kv", "threads", "prefill_tokens_per_s", "decode_tokens_per_s",
            "time_to_first_token_s", "weight_bytes", "weight_bytes_per_param", "kv_bytes_per_token", "heap_used_bytes", "rss_bytes"}) {
            assertThat(j.get(0).has(key)).as(key).isTrue();
        }
        JsonNode fp = j.get(0);
        JsonNode q = j.get(1);
        assertThat(fp.get("linear").asText()).isEqualTo("fp32");
        assertThat(fp.get("linear_bytes_per_param").asDouble()).isEqualTo(4.0);
        // Blocks in QINS (about 1.1 to 1.2 bytes/param), the LM head kept in float.
        assertThat(q.get("linear_bytes_per_param").asDouble()).isBetween(1.0, 2.5);
        assertThat(q.get("weight_bytes").asLong()).isLessThan(fp.get("weight_bytes").asLong() * 6 / 10); // embeddings and head stay float
        // 2 layers x 2 kv heads: K fp16 16 x 2, V 16 code bytes + 2 sign bytes + a 4-byte range.
        assertThat(q.get("kv_bytes_per_token").asLong()).isEqualTo(2L * 2 * (32 + 16 + 2 + 4));
        assertThat(fp.get("decode_tokens_per_s").asDouble()).isPositive();
        assertThat(q.get("time_to_first_token_s").asDouble()).isPositive();
        assertThat(q.get("heap_used_bytes").asLong()).isPositive();
    }

    @Test
    void theDecodedCacheIsOptInAndItsBytesAreCounted(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m");
        assertThat(QinsCommand.run("synth", "--shape", "64,2,4,2,128,256", "--dtype", "f32", "--output", model.toString())).isZero();
        long[] linearBytes = new long[2];
        String[][] extra = {{}, {"--layer-option", "decoded-cache=true"}};
        for (int k = 0; k < 2; k++) {
            Path json = tmp.resolve("b" + k + ".json");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("bench", "--model", model.toString(),
                    "--linear", "qins", "--prompt-tokens", "4", "--new-tokens", "4", "--warmup", "0", "--json", json.toString()));
            args.addAll(java.util.List.of(extra[k]));
            assertThat(QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                    args.toArray(String[]::new))).isZero();
            JsonNode j = new ObjectMapper().readTree(json.toFile()).get(0);
            linearBytes[k] = Math.round(j.get("linear_bytes_per_param").asDouble() * 1e6);
            assertThat(j.get("linear_description").asText().contains("+decoded-cache")).isEqualTo(k == 1);
        }
        // The whole-matrix float copy adds 4 bytes per block weight to the codes.
        assertThat(linearBytes[1]).isGreaterThan(linearBytes[0] + 2_000_000);
    }
}
