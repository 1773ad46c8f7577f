package org.qins.transformer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.DType;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

class CheckpointTest {

    @TempDir
    Path dir;

    private static MemorySegment bf16(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
        }
        return MemorySegment.ofArray(b.array());
    }

    private static MemorySegment f16(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Float.floatToFloat16(f));
        }
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void writesAndReadsBackEveryDtypeAndMetadata() {
        Path file = dir.resolve("model.safetensors");
        try (SafetensorsWriter w = new SafetensorsWriter(file)) {
            w.putMetadata("format", "pt");
            w.add("a.weight", TensorView.ofFloats("a", new float[] {1.5f, -2f, 3.25f, 0f, 1e-30f, -7f}, 2, 3));
            w.add("b", DType.BF16, new long[] {3}, bf16(1f, -0.5f, 2f));
            w.add("c", DType.F16, new long[] {2}, f16(0.1f, -65504f));
            w.add("d", DType.U8, new long[] {4}, MemorySegment.ofArray(new byte[] {0, 1, (byte) 200, (byte) 255}));
            w.add("e", DType.F32, new long[] {0}, MemorySegment.ofArray(new byte[0]));
        }
        assertThat(dir.resolve("model.safetensors.data.tmp")).doesNotExist();
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.tensorNames()).containsExactly("a.weight", "b", "c", "d", "e");
            assertThat(c.metadata()).containsEntry("format", "pt");
            assertThat(c.tensor("a.weight").toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 0f, 1e-30f, -7f);
            assertThat(c.tensor("a.weight").shape()).containsExactly(2, 3);
            assertThat(c.tensor("b").toFloatArray()).containsExactly(1f, -0.5f, 2f);
            assertThat(c.tensor("c").toFloatArray()).containsExactly(Float.float16ToFloat(Float.floatToFloat16(0.1f)), -65504f);
            assertThat(c.tensor("d").toByteArray()).containsExactly(0, 1, (byte) 200, (byte) 255);
            assertThat(c.tensor("e").elementCount()).isZero();
            StoredWeight a = c.linear("a");
            assertThat(a.format()).isEqualTo("f32");
            assertThat(a.part("weight").dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void theHeaderIsPaddedToEightBytes() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (SafetensorsWriter w = new SafetensorsWriter(file)) {
            w.add("x", TensorView.ofFloats("x", new float[] {1f}, 1));
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0) % 8).isZero();
    }

    @Test
    void encodedWeightsAreAssembledFromMetadataAndParts() {
        Path file = dir.resolve("model.safetensors");
        try (SafetensorsWriter w = new SafetensorsWriter(file)) {
            w.putMetadata(StoredFormats.formatKey("m.q_proj"), "toy");
            w.putMetadata(StoredFormats.metaPrefix("m.q_proj") + "group", "32");
            w.add("m.q_proj.codes", DType.U8, new long[] {2, 2}, MemorySegment.ofArray(new byte[4]));
            w.add("m.q_proj.ranges", TensorView.ofFloats("r", new float[] {1, 2}, 2));
            w.add("m.q_proj_other.weight", TensorView.ofFloats("o", new float[] {1}, 1, 1));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.isEncoded("m.q_proj")).isTrue();
            StoredWeight s = c.linear("m.q_proj");
            assertThat(s.format()).isEqualTo("toy");
            assertThat(s.parts()).containsOnlyKeys("codes", "ranges");
            assertThat(s.metadata()).isEqualTo(Map.of("group", "32"));
            assertThat(c.linear("m.q_proj_other").format()).isEqualTo("f32");
        }
    }

    @Test
    void shardedCheckpointsFollowTheIndex() throws IOException {
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model-00001-of-00002.safetensors"))) {
            w.add("x", TensorView.ofFloats("x", new float[] {1f, 2f}, 2));
        }
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model-00002-of-00002.safetensors"))) {
            w.add("y", TensorView.ofFloats("y", new float[] {3f}, 1));
        }
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), """
                {"metadata": {"total_size": 12}, "weight_map": {"x": "model-00001-of-00002.safetensors",
                 "y": "model-00002-of-00002.safetensors"}}""");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.tensor("y").toFloatArray()).containsExactly(3f);
            assertThat(c.fileOf("x").getFileName().toString()).isEqualTo("model-00001-of-00002.safetensors");
        }
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), """
                {"weight_map": {"x": "model-00002-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}}""");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("tensor 'x' should be in model-00002-of-00002");
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), """
                {"weight_map": {"x": "../evil.safetensors"}}""");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("unsafe shard path");
    }

    @Test
    void aMissingTensorIsNamedWithTheCheckpoint() {
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model.safetensors"))) {
            w.add("x", TensorView.ofFloats("x", new float[] {1f}, 1));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThatThrownBy(() -> c.tensor("lm_head.weight")).hasMessageContaining("no tensor 'lm_head.weight'")
                    .hasMessageContaining("model.safetensors");
        }
    }

    @Test
    void aDirectoryWithoutWeightsSaysWhatItHas() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("no model.safetensors")
                .hasMessageContaining("config.json");
    }

    @Test
    void readsAFixtureWrittenByHuggingFace() {
        Path fixture = Path.of(System.getProperty("qins.fixtures"), "tiny-llama");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fixture), "fixtures copied by the engine change");
        try (Checkpoint c = Checkpoint.open(fixture)) {
            assertThat(c.tensor("model.embed_tokens.weight").shape()).containsExactly(320, 96);
            assertThat(c.linear("model.layers.0.self_attn.k_proj").part("weight").shape()).containsExactly(32, 96);
            assertThat(c.tensorNames()).hasSize(3 * 9 + 3);
        }
    }
}
