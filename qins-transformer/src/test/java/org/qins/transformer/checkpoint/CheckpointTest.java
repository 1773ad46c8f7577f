package org.qins.transformer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** A data area of more than one of the writer's 16 MiB copy writes (and not a multiple of it) reads back whole. */
    @Test
    void aDataAreaLargerThanOneCopyWriteReadsBackWhole() {
        Path file = dir.resolve("model.safetensors");
        float[] big = new float[(40 << 20) / 4 + 12345]; // 40 MiB and a bit: two full writes and a partial one
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        try (SafetensorsWriter w = new SafetensorsWriter(file)) {
            w.add("small", TensorView.ofFloats("small", new float[] {3f}, 1));
            w.add("big", TensorView.ofFloats("big", big, big.length));
            w.add("tail", TensorView.ofFloats("tail", new float[] {-1f, 2f}, 2));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.tensor("small").toFloatArray()).containsExactly(3f);
            assertThat(c.tensor("big").toFloatArray()).isEqualTo(big);
            assertThat(c.tensor("tail").toFloatArray()).containsExactly(-1f, 2f);
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
    void releasedPagesLeaveTheResidentSetAndReadBackTheSame() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(PageAdvice.available(), "madvise (Linux) only");
        int n = 16 << 20; // 64 MiB of F32
        try (ShardedCheckpointWriter w = new ShardedCheckpointWriter(dir, ShardedCheckpointWriter.HUB_SHARD_BYTES)) {
            w.add("big", DType.F32, new long[] {n}, sink -> {
                MemorySegment piece = MemorySegment.ofArray(new float[1 << 20]);
                for (int i = 0; i < 16; i++) {
                    piece.fill((byte) (i + 1));
                    sink.write(piece);
                }
            });
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            TensorView t = c.tensor("big");
            long sum = touch(t);
            long before = rssFile();
            c.release("big");
            long after = rssFile();
            assertThat(before - after).as("RssFile before %d, after %d", before, after).isGreaterThan(60L << 20);
            assertThat(touch(t)).isEqualTo(sum); // the mapping still reads the file
            c.release("big", 1000, 10); // a range inside one page: allowed
        }
    }

    @Test
    void aMappedCheckpointAsksForHugePages() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(PageAdvice.available(), "madvise (Linux) only");
        try (ShardedCheckpointWriter w = new ShardedCheckpointWriter(dir, ShardedCheckpointWriter.HUB_SHARD_BYTES)) {
            w.add("big", DType.F32, new long[] {1 << 20}, sink -> sink.write(MemorySegment.ofArray(new float[1 << 20])));
        }
        Path file = dir.resolve(Checkpoint.SINGLE_FILE).toRealPath();
        assertThat(vmFlagsOf(file)).as("no mapping of %s before opening", file).isEmpty();
        try (Checkpoint c = Checkpoint.open(dir)) {
            // "hg": the mapping carries MADV_HUGEPAGE, so pages it faults in are read as 2 MiB folios
            assertThat(vmFlagsOf(file)).singleElement().asString().contains(" hg");
            assertThat(c.tensor("big").toFloatArray()).hasSize(1 << 20);
        }
    }

    /** The VmFlags lines of this process's mappings of {@code file} (/proc/self/smaps). */
    private static List<String> vmFlagsOf(Path file) throws IOException {
        List<String> flags = new java.util.ArrayList<>();
        boolean inFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inFile = line.endsWith(" " + file);
            } else if (inFile && line.startsWith("VmFlags:")) {
                flags.add(line.substring("VmFlags:".length()) + " ");
            }
        }
        return flags;
    }

    private static long touch(TensorView t) {
        long sum = 0;
        for (long i = 0; i < t.data().byteSize(); i += 4096) {
            sum += t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
        }
        return sum;
    }

    private static long rssFile() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssFile:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssFile");
    }

    @Test
    void aShardedWriterNamesShardsAsTheHubAndIndexesThem() throws IOException {
        try (ShardedCheckpointWriter w = new ShardedCheckpointWriter(dir, 12)) {
            w.putSharedMetadata("format", "pt");
            w.add("a", TensorView.ofFloats("a", new float[] {1, 2}, 2));      // 8 bytes: shard 1
            w.add("b", TensorView.ofFloats("b", new float[] {3}, 1));         // 12: still shard 1
            w.add("c", TensorView.ofFloats("c", new float[] {4, 5, 6, 7}, 4)); // 16, over the limit alone: shard 2
            w.putMetadata("c.note", "x");
            w.add("d", TensorView.ofFloats("d", new float[] {8}, 1));         // shard 3
            assertThat(dir.resolve(Checkpoint.INDEX_FILE)).doesNotExist();   // nothing final before close
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.fileOf("b").getFileName().toString()).isEqualTo("model-00001-of-00003.safetensors");
            assertThat(c.fileOf("c").getFileName().toString()).isEqualTo("model-00002-of-00003.safetensors");
            assertThat(c.fileOf("d").getFileName().toString()).isEqualTo("model-00003-of-00003.safetensors");
            assertThat(c.tensor("c").toFloatArray()).containsExactly(4, 5, 6, 7);
            assertThat(c.metadata()).containsEntry("format", "pt").containsEntry("c.note", "x");
        }
        assertThat(Files.readString(dir.resolve(Checkpoint.INDEX_FILE))).contains("\"total_size\" : 32");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("."))).isEmpty();
        }
    }

    @Test
    void aTensorOfTheWrongSizeAbandonsTheFile() {
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> w.add("x", DType.F32, new long[] {3}, MemorySegment.ofArray(new byte[8])))
                .hasMessageContaining("tensor 'x' F32[3] needs 12 bytes, got 8");
        assertThat(dir.resolve("model.safetensors.data.tmp")).doesNotExist();
        assertThat(dir.resolve("model.safetensors")).doesNotExist();
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
