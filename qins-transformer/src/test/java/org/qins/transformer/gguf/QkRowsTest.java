package org.qins.transformer.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class QkRowsTest {

    /**
     * llama.cpp's converter: {@code w.reshape(n_head, 2, D/2, cols).swapaxes(1, 2).reshape(w.shape)}. For one head of
     * D = 8 the stored rows are the Hugging Face rows 0, 4, 1, 5, 2, 6, 3, 7 (each pair: i of the first half, i of the
     * second), written out here by hand rather than by the formula under test.
     */
    @Test
    void storedRowsAreTheInterleavedHalvesOfEachHead() {
        long[] storedHfRow = {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15};
        for (int g = 0; g < storedHfRow.length; g++) {
            assertThat(QkRows.ggufRow(storedHfRow[g], 8)).as("GGUF row %d", g).isEqualTo(g);
        }
    }

    @Test
    void unpermuteMovesWholeRowsOfAnyByteSize() {
        int rows = 8;
        int rowBytes = 3; // e.g. not a float: rows move as bytes
        MemorySegment stored = MemorySegment.ofArray(new byte[rows * rowBytes]);
        long[] hfRowOfStored = {0, 2, 1, 3, 4, 6, 5, 7}; // two heads of 4
        for (int g = 0; g < rows; g++) {
            for (int b = 0; b < rowBytes; b++) {
                stored.set(ValueLayout.JAVA_BYTE, g * rowBytes + b, (byte) (hfRowOfStored[g] * 10 + b));
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hf = QkRows.unpermute(stored, rows, 4, arena);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < rowBytes; b++) {
                    assertThat(hf.get(ValueLayout.JAVA_BYTE, r * rowBytes + b)).isEqualTo((byte) (r * 10 + b));
                }
            }
            assertThatThrownBy(() -> QkRows.unpermute(stored, 6, 4, arena)).hasMessageContaining("6 rows are not whole heads of 4");
        }
    }
}
