package org.qins.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Options;
import org.qins.api.Parallel;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.DType;
import org.qins.api.WeightFormat;
import org.qins.tools.synth.ModelShape;
import org.qins.tools.synth.RandomModelWriter;
import org.qins.it.thirdparty.BlockInt8Format;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.StoredFormats;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;

/** The converter streams a float checkpoint through any weight format's encode, and the loader reads the result. */
class ConverterTest {

    @TempDir
    Path tmp;

    private static final Path TINY = Fixtures.dir("tiny-llama");

    @Test
    void convertsTheBlockLinearsAndCopiesTheRest() throws IOException {
        Path out = tmp.resolve("tiny-q8");
        List<String> seen = new ArrayList<>();
        ConversionReport r = new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of()))
                .convert(TINY, out, new ConversionListener() {
                    @Override
                    public void tensorDone(String name, long bytes, boolean encoded) {
                        seen.add(name);
                    }
                });
        assertThat(r.encodedTensors()).isEqualTo(3 * 7);
        assertThat(r.copiedTensors()).isEqualTo(3 * 2 + 3); // norms + embed, final norm, lm_head
        assertThat(r.bytesPerEncodedParam()).isCloseTo(1 + 2.0 / 32, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(seen).hasSize(30);
        assertThat(out.resolve("config.json")).hasSameTextualContentAs(TINY.resolve("config.json"));
        assertThat(out.resolve("tokenizer.json")).exists();
        assertThat(out.resolve("reference.json")).exists();
        try (Checkpoint c = Checkpoint.open(out); Checkpoint src = Checkpoint.open(TINY)) {
            assertThat(c.metadata()).containsEntry(StoredFormats.CHECKPOINT_KEY, "1").containsEntry(StoredFormats.FORMAT_KEY, "q8_0");
            StoredWeight q = c.linear("model.layers.1.self_attn.q_proj");
            assertThat(q.format()).isEqualTo("q8_0");
            assertThat(q.parts()).containsOnlyKeys("q", "scale");
            assertThat(q.metadata()).containsEntry("block", "32");
            assertThat(c.isEncoded("lm_head")).isFalse();
            assertThat(c.tensor("model.embed_tokens.weight").toFloatArray()).isEqualTo(src.tensor("model.embed_tokens.weight").toFloatArray());
            // The stored codes are exactly what the provider's encode produces.
            StoredWeight direct = new BlockInt8Format.Q8_0().encode(new LayerSpec("x", 96, 96),
                    src.tensor("model.layers.1.self_attn.q_proj.weight"), Options.none());
            assertThat(q.part("q").toByteArray()).isEqualTo(direct.part("q").toByteArray());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("tiny-q8");
        }
    }

    @Test
    void theHeadIsEncodedOnlyWhenAsked() {
        Path out = tmp.resolve("with-head");
        new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of()).withEncodeHead(true))
                .convert(TINY, out, ConversionListener.NONE);
        try (Checkpoint c = Checkpoint.open(out)) {
            assertThat(c.isEncoded("lm_head")).isTrue();
            assertThat(c.isEncoded("model.embed_tokens")).isFalse();
        }
    }

    @Test
    void aFailedConversionLeavesNothingBehind() throws IOException {
        BlockInt8Format failing = new BlockInt8Format.Q8_0() {
            private int calls;

            @Override
            public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
                if (++calls == 5) {
                    throw new IllegalStateException("disk full (simulated)");
                }
                return super.encode(spec, weight, options);
            }
        };
        Path out = tmp.resolve("broken");
        assertThatThrownBy(() -> new ModelConverter(failing, ConversionOptions.of("q8_0", Map.of())).convert(TINY, out, ConversionListener.NONE))
                .hasMessageContaining("model.safetensors: tensor 'model.layers.0.self_attn.o_proj.weight'")
                .hasMessageContaining("disk full (simulated)");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void shardsTheOutputAsTheHubDoesWithTheSameTensorsWhateverTheThreads() throws IOException {
        Path source = tmp.resolve("phi");
        // A sharded BF16 Phi-3 source (fused qkv / gate_up), as the Hub ships Phi-3.5-mini.
        new RandomModelWriter(ModelShape.parse("phi3:96,3,4,4,128,320"), 9, DType.BF16, 100_000).write(source);
        assertThat(source.resolve(Checkpoint.INDEX_FILE)).exists();
        Path one = tmp.resolve("one");
        Path sharded = tmp.resolve("sharded");
        WeightFormat qins9 = WeightFormat.forName("qins9");
        new ModelConverter(qins9, ConversionOptions.of("qins9", Map.of()), 1).convert(source, one, ConversionListener.NONE);
        new ModelConverter(qins9, ConversionOptions.of("qins9", Map.of()).withShardBytes(60_000), 2)
                .convert(source, sharded, ConversionListener.NONE);
        assertThat(one.resolve(Checkpoint.SINGLE_FILE)).exists();
        assertThat(one.resolve(Checkpoint.INDEX_FILE)).doesNotExist();
        assertThat(sharded.resolve(Checkpoint.SINGLE_FILE)).doesNotExist();
        try (Checkpoint a = Checkpoint.open(one); Checkpoint b = Checkpoint.open(sharded); Stream<Path> files = Files.list(sharded)) {
            List<String> shards = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted().toList();
            assertThat(shards).hasSizeGreaterThan(3).allMatch(n -> n.matches("model-0000\\d-of-0000" + shards.size() + "\\.safetensors"));
            assertThat(b.tensorNames()).containsExactlyInAnyOrderElementsOf(a.tensorNames());
            for (String n : a.tensorNames()) {
                assertThat(b.tensor(n).toByteArray()).as(n).isEqualTo(a.tensor(n).toByteArray());
            }
            assertThat(b.metadata()).isEqualTo(a.metadata());
            assertThat(b.linear("model.layers.2.self_attn.qkv_proj").format()).isEqualTo("qins9");
            assertThat(b.isEncoded("model.layers.2.mlp.gate_up_proj")).isTrue();
        }
    }

    @Test
    void aFailedShardedConversionOnSeveralThreadsLeavesNothingBehind() throws IOException {
        BlockInt8Format failing = new BlockInt8Format.Q8_0() {
            private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public StoredWeight encode(LayerSpec spec, TensorView weight, Options options) {
                if (calls.incrementAndGet() == 15) {
                    throw new IllegalStateException("disk full (simulated)");
                }
                return super.encode(spec, weight, options);
            }
        };
        Path out = tmp.resolve("broken");
        assertThatThrownBy(() -> new ModelConverter(failing, ConversionOptions.of("q8_0", Map.of()).withShardBytes(20_000), 2)
                .convert(TINY, out, ConversionListener.NONE)).hasMessageContaining("disk full (simulated)");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void anExistingOutputIsNeverOverwritten() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("exists"));
        assertThatThrownBy(() -> new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of()))
                .convert(TINY, out, ConversionListener.NONE)).hasMessageContaining("already exists");
    }

    @Test
    void aConvertedCheckpointIsNotConvertedAgain() {
        Path out = tmp.resolve("once");
        ModelConverter conv = new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of()));
        conv.convert(TINY, out, ConversionListener.NONE);
        assertThatThrownBy(() -> conv.convert(out, tmp.resolve("twice"), ConversionListener.NONE))
                .hasMessageContaining("already a converted checkpoint (format q8_0)");
    }

    @Test
    void aFloatLayerOverEncodedStorageDecodesAtLoad() {
        Path out = tmp.resolve("decoded");
        new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of())).convert(TINY, out, ConversionListener.NONE);
        ProviderSelector selector = new ProviderSelector(ProviderRegistry.discover(), () -> null);
        try (Checkpoint c = Checkpoint.open(out)) {
            StoredWeight stored = c.linear("model.layers.0.mlp.down_proj");
            LayerSpec spec = new LayerSpec(stored.name(), 96, 256);
            LinearLayer asFp32 = new LayerLoader(selector, "fp32", Parallel.SEQUENTIAL, Map.of()).load(spec, stored);
            LinearLayer native8 = new LayerLoader(selector, "q8_0", Parallel.SEQUENTIAL, Map.of()).load(spec, stored);
            assertThat(asFp32.describe()).startsWith("fp32");
            assertThat(native8.describe()).startsWith("int8");
            float[] x = new float[256];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            float[] a = new float[96];
            float[] b = new float[96];
            asFp32.forward(x, a, 1);
            native8.forward(x, b, 1);
            for (int o = 0; o < 96; o++) {
                assertThat(a[o]).isCloseTo(b[o], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(b[o]))));
            }
        }
    }
}
