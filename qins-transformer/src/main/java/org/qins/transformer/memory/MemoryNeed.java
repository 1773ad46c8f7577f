package org.qins.transformer.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The memory a task will take, part by part, each either on the JVM heap (KV caches, activations)
 * or outside it (float copies and codes made at load, pages of mapped weights not yet read).
 *
 * @param task  what will run, for messages ("loading DIR with fp32", "prefilling 4096 tokens")
 * @param parts what it takes
 */
public record MemoryNeed(String task, List<Part> parts) {

    /** One part: what it is, its bytes, and whether it lives on the heap. */
    public record Part(String what, long bytes, boolean heap) {
    }

    public MemoryNeed {
        parts = List.copyOf(parts);
    }

    public static MemoryNeed of(String task) {
        return new MemoryNeed(task, List.of());
    }

    /** This need with one more part (parts of 0 bytes are left out). */
    public MemoryNeed plus(String what, long bytes, boolean heap) {
        if (bytes < 0) {
            throw new IllegalArgumentException(what + ": negative size " + bytes);
        }
        if (bytes == 0) {
            return this;
        }
        List<Part> p = new ArrayList<>(parts);
        p.add(new Part(what, bytes, heap));
        return new MemoryNeed(task, p);
    }

    /** This need and {@code other}'s parts, under {@code task}. */
    public MemoryNeed and(MemoryNeed other, String task) {
        List<Part> p = new ArrayList<>(parts);
        p.addAll(other.parts);
        return new MemoryNeed(task, p);
    }

    public long heapBytes() {
        return parts.stream().filter(Part::heap).mapToLong(Part::bytes).sum();
    }

    public long totalBytes() {
        return parts.stream().mapToLong(Part::bytes).sum();
    }

    /** "25.77 GB KV cache (...) + 134.2 MB activations (...)". */
    public String describeParts() {
        return describe(parts);
    }

    /** {@link #describeParts()} of the heap parts only. */
    public String describeHeapParts() {
        return describe(parts.stream().filter(Part::heap).toList());
    }

    private static String describe(List<Part> parts) {
        if (parts.isEmpty()) {
            return "nothing";
        }
        List<String> s = new ArrayList<>();
        for (Part p : parts) {
            s.add(gb(p.bytes()) + " " + p.what());
        }
        return String.join(" + ", s);
    }

    /** Bytes as GB (10^9) with two decimals, or MB (10^6) with one below 1 GB. */
    public static String gb(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
