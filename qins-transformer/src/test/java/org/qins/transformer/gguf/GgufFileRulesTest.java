package org.qins.transformer.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qins.transformer.checkpoint.CheckpointException;

/** One broken file per rule of the GGUF reader: each is refused naming the file and the rule; good files read back exactly. */
class GgufFileRulesTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("model.gguf");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(RawGguf raw) throws IOException {
        raw.write(file());
        return assertThatThrownBy(() -> GgufFile.open(file()).close()).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file().toString());
    }

    /** One F32 tensor "t" of 2 x 3, data 24 bytes, alignment 32. */
    private static RawGguf oneTensor(long type, long offset, int dataBytes) {
        return new RawGguf().header(1, 0).tensor("t", new long[] {3, 2}, type, offset).pad(32).zeros(dataBytes);
    }

    @Test
    void writtenMetadataAndTensorsReadBackExactly() throws IOException {
        float[] w = {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f};
        new GgufWriter().string("general.architecture", "llama").u32("a.u32", 4_000_000_000L).i32("a.i32", -5).f32("a.f32", 0.25f)
                .bool("a.bool", true).strings("a.strings", List.of("x", "é", "")).floats("a.floats", new float[] {1, 2.5f})
                .ints("a.ints", new int[] {-1, 7}).alignment(64)
                .tensor("w", GgufWriter.F32, new long[] {2, 3}, GgufWriter.f32(w))
                .tensor("h", GgufWriter.F16, new long[] {6}, GgufWriter.f16(w))
                .tensor("b", GgufWriter.BF16, new long[] {3, 2}, GgufWriter.bf16(w))
                .tensor("q", GgufWriter.Q8_0, new long[] {2, 32}, GgufWriter.q8_0(new float[64], 2, 32)).write(file());
        try (GgufFile f = GgufFile.open(file())) {
            GgufMetadata m = f.metadata();
            assertThat(f.version()).isEqualTo(3);
            assertThat(m.string("general.architecture")).isEqualTo("llama");
            assertThat(m.number("a.f32")).isEqualTo(0.25);
            assertThat(m.bool("a.bool", false)).isTrue();
            assertThat(m.strings("a.strings")).containsExactly("x", "é", "");
            assertThat(m.floats("a.floats")).containsExactly(1f, 2.5f);
            assertThat(m.ints("a.ints")).containsExactly(-1, 7);
            assertThat(m.integer("general.alignment", 0)).isEqualTo(64);
            assertThatThrownBy(() -> m.integer("a.u32", 0)).hasMessageContaining("'a.u32' must be an integer in [0, 2147483647], is 4000000000");
            assertThatThrownBy(() -> m.integer("a.i32", 0)).hasMessageContaining("is -5");
            assertThatThrownBy(() -> m.string("a.f32")).hasMessageContaining(file() + ": metadata 'a.f32' must be a string, is FLOAT32 0.25");
            assertThatThrownBy(() -> m.integer("nope", 0)).hasMessageContaining("metadata 'nope' is missing");
            assertThat(f.tensors().keySet()).containsExactly("w", "h", "b", "q");
            GgufTensorInfo t = f.tensor("w");
            assertThat(t.shape()).containsExactly(2, 3);
            assertThat(t.offset() % 64).isZero();
            assertThat(t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(GgufWriter.f32(w));
            assertThat(f.tensor("h").data().byteSize()).isEqualTo(12);
            assertThat(f.tensor("q").data().byteSize()).isEqualTo(68);
            assertThat(f.tensor("q").offset() % 64).isZero();
        }
    }

    @Test
    void aFileShorterThanTheHeaderIsRefused() throws IOException {
        refused(new RawGguf().u32(GgufFile.MAGIC)).hasMessageContaining("not a GGUF file (4 bytes; the header alone is 24)");
    }

    @Test
    void aWrongMagicIsRefused() throws IOException {
        refused(new RawGguf().u32(0x4c4d4747).u32(3).u64(0).u64(0)).hasMessageContaining("not a GGUF file (magic 0x4c4d4747");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4, 0x03000000L})
    void versionsOtherThanTwoAndThreeAreRefused(long version) throws IOException {
        refused(new RawGguf().u32(GgufFile.MAGIC).u32(version).u64(0).u64(0))
                .hasMessageContaining("GGUF version " + version + " is not supported")
                .hasMessageContaining(version == 1 ? "32-bit counts" : version > 4 ? "big-endian" : "versions 2 and 3");
    }

    @Test
    void countsTheFileCannotHoldAreRefused() throws IOException {
        refused(new RawGguf().header(1L << 40, 0)).hasMessageContaining("tensor count at byte 8 is 1099511627776, more than");
        refused(new RawGguf().header(0, -1)).hasMessageContaining("metadata count at byte 16 is 18446744073709551615");
    }

    @Test
    void aStringLongerThanTheFileIsRefused() throws IOException {
        refused(new RawGguf().header(0, 1).u64(1000).bytes("key-key-key-key".getBytes()))
                .hasMessageContaining("metadata key 0 at byte 32 needs 1000 bytes, the file has 15 left");
        refused(new RawGguf().header(0, 1).u64(70_000).zeros(16)).hasMessageContaining("is 70000 bytes long; the limit is 65535");
    }

    @Test
    void invalidUtf8IsRefused() throws IOException {
        refused(new RawGguf().header(0, 1).u64(2).u8(0xc3).u8(0x28).u32(4).u32(1))
                .hasMessageContaining("metadata key 0 at byte 24 is not valid UTF-8");
    }

    @Test
    void aDuplicateKeyIsRefused() throws IOException {
        refused(new RawGguf().header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2)).hasMessageContaining("metadata key 'k' appears twice");
    }

    @Test
    void unknownValueTypesNestedArraysAndBadBoolsAreRefused() throws IOException {
        refused(new RawGguf().header(0, 1).str("k").u32(13).u32(0)).hasMessageContaining("metadata 'k' at byte 33 has unknown value type 13");
        refused(new RawGguf().header(0, 1).str("k").u32(9).u32(9).u64(0)).hasMessageContaining("arrays of arrays are not supported");
        refused(new RawGguf().header(0, 1).str("k").u32(7).u8(2)).hasMessageContaining("metadata 'k' at byte 37 is a bool holding 2");
        refused(new RawGguf().header(0, 1).str("k").u32(9).u32(4).u64(1L << 40))
                .hasMessageContaining("metadata 'k' array length at byte 41 is 1099511627776, more than the 0 bytes left can hold");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48})
    void anAlignmentThatIsNotAPowerOfTwoIsRefused(long alignment) throws IOException {
        refused(new RawGguf().header(0, 1).str("general.alignment").u32(4).u32(alignment))
                .hasMessageContaining("metadata 'general.alignment' must be a UINT32 power of two, is UINT32 " + alignment);
    }

    @Test
    void badTensorInfosAreRefused() throws IOException {
        refused(new RawGguf().header(1, 0).tensor("x".repeat(65), new long[] {1}, 0, 0)).hasMessageContaining("is 65 bytes long; the limit is 64");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {1, 1, 1, 1, 1}, 0, 0)).hasMessageContaining("tensor 't' has 5 dimensions");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {4, 0}, 0, 0)).hasMessageContaining("tensor 't' dimension 1 is 0");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {1L << 40, 1L << 40}, 0, 0))
                .hasMessageContaining("tensor 't' has more elements than a file can hold");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {256, 2}, 12, 0))
                .hasMessageContaining("tensor 't' has type Q4_K; the engine reads F32, F16, BF16 and Q8_0");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {16, 2}, 8, 0))
                .hasMessageContaining("tensor 't' is Q8_0 with rows of 16 elements, not a multiple of its block (32)");
        refused(new RawGguf().header(1, 0).tensor("t", new long[] {3, 2}, 0, 8)).hasMessageContaining("tensor 't' has data offset 8, not a multiple of the alignment 32");
        refused(new RawGguf().header(2, 0).tensor("t", new long[] {3, 2}, 0, 0).tensor("t", new long[] {3, 2}, 0, 32))
                .hasMessageContaining("tensor 't' appears twice");
    }

    @Test
    void tensorsMustTileTheDataSection() throws IOException {
        refused(oneTensor(0, 32, 64)).hasMessageContaining("tensor 't' starts at data offset 32; expected 0 (the first tensor starts the data section): unexplained gap");
        refused(new RawGguf().header(2, 0).tensor("a", new long[] {16}, 0, 0).tensor("b", new long[] {16}, 0, 32).pad(32).zeros(128))
                .hasMessageContaining("tensor 'b' starts at data offset 32; expected 64 (where 'a' ends, rounded up to the alignment 32): tensors overlap");
        refused(oneTensor(0, 0, 20)).hasMessageContaining("tensor 't' (F32[2, 3]) needs 24 bytes at data offset 0 but the file ends 20 bytes after its start");
        refused(oneTensor(0, 0, 24 + 40)).hasMessageContaining("40 bytes follow the last tensor 't'; at most the alignment padding (31) may");
        oneTensor(0, 0, 24).write(file());
        GgufFile.open(file()).close(); // unpadded end: accepted
        oneTensor(0, 0, 32).write(file());
        GgufFile.open(file()).close(); // padded end: accepted
    }

    @Test
    void isGgufLooksAtTheMagic() throws IOException {
        assertThat(GgufFile.isGguf(oneTensor(0, 0, 24).write(file()))).isTrue();
        assertThat(GgufFile.isGguf(Files.writeString(dir.resolve("x"), "GGML..."))).isFalse();
        assertThat(GgufFile.isGguf(dir)).isFalse();
    }
}
