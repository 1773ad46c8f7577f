package org.qins.transformer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One broken file per rule of the safetensors format: each is refused, naming the file, the tensor and the rule. */
class SafetensorsRulesTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("model.safetensors");
    }

    /** Size field + header + data, the size field {@code declared} (the header's byte length when null). */
    private void write(Long declared, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared == null ? header.length : declared).put(header);
        Files.write(file(), b.array());
    }

    private void write(String header, int dataBytes) throws IOException {
        write(null, header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private static String tensor(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": " + offsets + "}";
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused() {
        return assertThatThrownBy(() -> SafetensorsFile.open(file()).close()).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file().toString());
    }

    private void accepted() {
        SafetensorsFile.open(file()).close();
    }

    @Test
    void aFileShorterThanTheSizeFieldIsRefused() throws IOException {
        Files.write(file(), new byte[3]);
        refused().hasMessageContaining("not a safetensors file (3 bytes");
    }

    @ParameterizedTest
    @ValueSource(longs = {100_000_001L, -1L, Long.MIN_VALUE})
    void aHeaderSizeBeyondTheFormatsLimitIsRefused(long declared) throws IOException {
        write(declared, "{}".getBytes(StandardCharsets.UTF_8), 0);
        refused().hasMessageContaining("header size " + Long.toUnsignedString(declared)).hasMessageContaining("limit of 100000000");
    }

    @Test
    void aHeaderSizeTooSmallForAnObjectIsRefused() throws IOException {
        write(1L, "{}".getBytes(StandardCharsets.UTF_8), 0);
        refused().hasMessageContaining("header size 1 cannot hold a JSON object");
    }

    @Test
    void aHeaderSizeRunningPastTheFileIsRefused() throws IOException {
        write(40L, "{}".getBytes(StandardCharsets.UTF_8), 0);
        refused().hasMessageContaining("header size 40 runs past the end of the file (10 bytes");
    }

    @Test
    void aHeaderSizeLargerThanTheJsonWithDataAfterItIsRefused() throws IOException {
        // The case: the declared size swallows the first tensor bytes, which would shift every tensor.
        String h = "{" + tensor("a", "U8", "[4]", "[0, 4]") + "}";
        byte[] json = h.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length + 2).put(json).put(new byte[] {1, 2, 3, 4});
        Files.write(file(), b.array());
        refused().hasMessageContaining("leaves 2 characters after the JSON object that are not whitespace padding")
                .hasMessageContaining("U+0001");
    }

    @Test
    void spacePaddingInsideTheDeclaredSizeIsAccepted() throws IOException {
        write("{" + tensor("a", "U8", "[2]", "[0, 2]") + "}       ", 2);
        accepted();
    }

    @Test
    void aHeaderThatIsNotUtf8IsRefused() throws IOException {
        write(null, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '}, 0);
        refused().hasMessageContaining("header is not valid UTF-8");
    }

    @Test
    void aHeaderMustStartWithABrace() throws IOException {
        write(" {}", 0);
        refused().hasMessageContaining("header must start with '{'");
        write("[1, 2]", 0);
        refused().hasMessageContaining("it starts with '['");
    }

    @Test
    void aHeaderThatIsNotJsonIsRefused() throws IOException {
        write("{\"a\": {\"dtype\": }", 0);
        refused().hasMessageContaining("header is not valid JSON");
    }

    @Test
    void duplicateTensorNamesAreRefused() throws IOException {
        write("{" + tensor("a", "U8", "[2]", "[0, 2]") + ", " + tensor("a", "U8", "[2]", "[2, 4]") + "}", 4);
        refused().hasMessageContaining("duplicate key").hasMessageContaining("'a'").hasMessageContaining("must be unique");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        write("{\"__metadata__\": [1]}", 0);
        refused().hasMessageContaining("__metadata__ must be an object of strings, got ARRAY");
        write("{\"__metadata__\": {\"format\": 1}}", 0);
        refused().hasMessageContaining("__metadata__ value of 'format' must be a string, got NUMBER");
        write("{\"__metadata__\": {\"format\": \"pt\"}}", 0);
        accepted();
    }

    @Test
    void anEntryMustBeAnObject() throws IOException {
        write("{\"a\": [0, 4]}", 0);
        refused().hasMessageContaining("tensor 'a': entry must be an object");
    }

    @Test
    void theDtypeMustBeAString() throws IOException {
        write("{\"a\": {\"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
        refused().hasMessageContaining("tensor 'a': dtype must be a string");
        write("{\"a\": {\"dtype\": 4, \"shape\": [2], \"data_offsets\": [0, 2]}}", 2);
        refused().hasMessageContaining("tensor 'a': dtype must be a string such as \"F32\", got NUMBER");
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "Bf16", "u8", "float32"})
    void dtypesAreSpelledAsTheFormatSpellsThem(String dtype) throws IOException {
        write("{" + tensor("a", dtype, "[1]", "[0, 4]") + "}", 4);
        refused().hasMessageContaining("tensor 'a': unknown dtype '" + dtype + "'").hasMessageContaining("upper case");
    }

    @Test
    void aFormatDtypeTheEngineDoesNotReadIsNamed() throws IOException {
        write("{" + tensor("a", "U16", "[2]", "[0, 4]") + "}", 4);
        refused().hasMessageContaining("tensor 'a': dtype U16 is not supported here");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[2.0]", "[\"2\"]", "[-2]", "[2.5]", "[true]", "[null]", "2", "[99999999999999999999]"})
    void theShapeIsAListOfIntegersAtLeastZero(String shape) throws IOException {
        write("{" + tensor("a", "U8", shape, "[0, 2]") + "}", 2);
        refused().hasMessageContaining("tensor 'a': shape must be a list of integers >= 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[0.0, 2.0]", "[\"0\", \"2\"]", "[0, 2.0]", "[-1, 1]", "[0]", "[0, 2, 4]", "{\"b\": 0}"})
    void dataOffsetsAreTwoIntegersAtLeastZero(String offsets) throws IOException {
        write("{" + tensor("a", "U8", "[2]", offsets) + "}", 2);
        refused().hasMessageContaining("tensor 'a': data_offsets must be a list of 2 integers >= 0");
    }

    @Test
    void dataOffsetsMustNotEndBeforeTheyBegin() throws IOException {
        write("{" + tensor("a", "U8", "[0]", "[4, 2]") + "}", 4);
        refused().hasMessageContaining("tensor 'a': data_offsets [4, 2] end before they begin");
    }

    @Test
    void theSpanMustEqualDtypeSizeTimesElements() throws IOException {
        write("{" + tensor("w", "F32", "[2, 2]", "[0, 12]") + "}", 12);
        refused().hasMessageContaining("tensor 'w': F32[2, 2] needs 16 bytes but data_offsets [0, 12] span 12");
    }

    @Test
    void aShapeWhoseSizeOverflowsIsRefused() throws IOException {
        write("{" + tensor("w", "F32", "[4294967296, 4294967296]", "[0, 4]") + "}", 4);
        refused().hasMessageContaining("tensor 'w': shape [4294967296, 4294967296] of F32 overflows 64-bit sizes");
    }

    @Test
    void offsetsPastTheDataBufferAreRefused() throws IOException {
        write("{" + tensor("w", "F32", "[4]", "[0, 16]") + "}", 8);
        refused().hasMessageContaining("tensor 'w': data_offsets [0, 16] run past the data buffer of 8 bytes");
    }

    @Test
    void overlappingAndAliasedTensorsAreRefused() throws IOException {
        write("{" + tensor("a", "U8", "[4]", "[0, 4]") + ", " + tensor("b", "U8", "[4]", "[2, 6]") + "}", 6);
        refused().hasMessageContaining("tensor 'b': data_offsets [2, 6] overlap tensor 'a' [0, 4]");
        write("{" + tensor("a", "U8", "[4]", "[0, 4]") + ", " + tensor("b", "U8", "[4]", "[0, 4]") + "}", 4);
        refused().hasMessageContaining("overlap tensor 'a' [0, 4]");
    }

    @Test
    void gapsBetweenTensorsAreRefused() throws IOException {
        write("{" + tensor("a", "U8", "[4]", "[4, 8]") + "}", 8);
        refused().hasMessageContaining("tensor 'a': data_offsets [4, 8] leave a gap of 4 bytes after the start of the data buffer");
        write("{" + tensor("a", "U8", "[4]", "[0, 4]") + ", " + tensor("b", "U8", "[2]", "[6, 8]") + "}", 8);
        refused().hasMessageContaining("tensor 'b': data_offsets [6, 8] leave a gap of 2 bytes after tensor 'a' (ends at 4)");
    }

    @Test
    void trailingBytesAfterTheLastTensorAreRefused() throws IOException {
        write("{" + tensor("a", "U8", "[4]", "[0, 4]") + "}", 7);
        refused().hasMessageContaining("the data buffer has 3 bytes after the last tensor's data (tensors cover [0, 4) of 7)");
        write("{}", 1);
        refused().hasMessageContaining("1 bytes after the last tensor's data");
    }

    @Test
    void tensorsInAnyHeaderOrderThatTileTheBufferAreAccepted() throws IOException {
        // The format orders tensors by offset, not by header position; empty tensors take no bytes.
        write("{" + tensor("b", "U8", "[2]", "[4, 6]") + ", " + tensor("e", "F32", "[0, 3]", "[4, 4]") + ", "
                + tensor("a", "I32", "[1]", "[0, 4]") + ", " + tensor("s", "U8", "[]", "[6, 7]") + "}", 7);
        try (SafetensorsFile f = SafetensorsFile.open(file())) {
            assertThat(f.tensors()).containsOnlyKeys("a", "b", "e", "s");
            assertThat(f.tensors().get("s").elementCount()).isEqualTo(1);
        }
    }
}
