package org.qins.api.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** What a module sees when its library is missing or broken: unavailable with the reason, never an exception. */
class NativeLibraryTest {

    @Test
    void aLibraryThatWasNotBuiltIsUnavailableWithTheReason() {
        NativeLibrary lib = NativeLibrary.load(NativeLibraryTest.class, "/no/such/libnothing.so", "nothing", 1, "nothing");
        assertThat(lib.available()).isFalse();
        assertThat(lib.status()).startsWith("unavailable: not built").contains("/no/such/libnothing.so");
        assertThatThrownBy(() -> lib.downcall("f", FunctionDescriptor.ofVoid())).hasMessageContaining("unavailable");
    }

    @Test
    void aFileThatIsNoLibraryIsUnavailableWithTheReason() {
        // a class file is a resource, but no shared object
        NativeLibrary lib = NativeLibrary.load(NativeLibraryTest.class, "NativeLibraryTest.class", "nothing", 1, "nothing");
        assertThat(lib.available()).isFalse();
        assertThat(lib.status()).startsWith("unavailable: ");
    }

    @Test
    void unscopedKeepsAddressAndSizeOfNativeSegmentsAndLeavesHeapSegments() {
        MemorySegment off = java.lang.foreign.Arena.ofAuto().allocate(64);
        MemorySegment u = NativeLibrary.unscoped(off);
        assertThat(u.address()).isEqualTo(off.address());
        assertThat(u.byteSize()).isEqualTo(64);
        MemorySegment heap = MemorySegment.ofArray(new float[4]);
        assertThat(NativeLibrary.unscoped(heap)).isSameAs(heap);
    }
}
