package org.qins.transformer.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.MappedFile;

/**
 * One memory-mapped GGUF file (versions 2 and 3, little-endian), read strictly: the magic, the version,
 * the tensor and metadata counts (each bounded by what the rest of the file can hold), every string and
 * array length, UTF-8, unique keys and names, {@code general.alignment} (a power of two), and each
 * tensor's dimensions, type and offset: offsets are multiples of the alignment and the tensors tile the
 * data section in order, each starting where the previous one ends rounded up to the alignment, the last
 * ending within one alignment of the file's end. Tensor types other than F32, F16, BF16 and Q8_0 are
 * refused with the tensor's name. Every error names the file.
 */
public final class GgufFile implements AutoCloseable {

    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** The spec caps keys at 65,535 bytes and tensor names at 64. */
    static final long MAX_KEY_BYTES = 65_535;
    static final long MAX_NAME_BYTES = 64;
    static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;

    private GgufFile(Path path, Arena arena, int version, GgufMetadata metadata, Map<String, GgufTensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** True when {@code path} is a regular file that starts with the GGUF magic. */
    public static boolean isGguf(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (var in = Files.newInputStream(path)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'G' && b[1] == 'G' && b[2] == 'U' && b[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    public static GgufFile open(Path path) {
        return MappedFile.open(path, (file, size, arena) -> parse(path, new GgufCursor(path, file, size), file, size, arena));
    }

    private static GgufFile parse(Path path, GgufCursor c, MemorySegment file, long size, Arena arena) {
        if (size < 24) {
            throw c.error("not a GGUF file (" + size + " bytes; the header alone is 24)");
        }
        long magic = c.u32("magic");
        if (magic != Integer.toUnsignedLong(MAGIC)) {
            throw c.error("not a GGUF file (magic 0x" + Long.toHexString(magic) + ", expected the bytes 'GGUF')");
        }
        long version = c.u32("version");
        if (version != 2 && version != 3) {
            throw c.error("GGUF version " + version + " is not supported (this reader takes versions 2 and 3, little-endian"
                    + (version == 1 ? "; version 1 used 32-bit counts" : version > 0xffff ? "; a big-endian file?" : "") + ")");
        }
        long tensorCount = c.count("tensor count", 8 + 4 + 8 + 4 + 8);
        long kvCount = c.count("metadata count", 8 + 4 + 1);
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = c.string("metadata key " + i, MAX_KEY_BYTES);
            long at = c.position();
            long typeId = c.u32("type of metadata '" + key + "'");
            GgufValueType type = GgufValueType.of(typeId);
            if (type == null) {
                throw c.error("metadata '" + key + "' at byte " + at + " has unknown value type " + typeId);
            }
            if (kv.put(key, GgufValue.read(c, type, key)) != null) {
                throw c.error("metadata key '" + key + "' appears twice");
            }
        }
        GgufMetadata metadata = new GgufMetadata(path, kv);
        long alignment = alignment(c, kv);
        List<RawTensor> raw = new ArrayList<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            RawTensor t = RawTensor.read(c, i, alignment);
            if (names.put(t.name(), Boolean.TRUE) != null) {
                throw c.error("tensor '" + t.name() + "' appears twice");
            }
            raw.add(t);
        }
        long dataStart = align(c.position(), alignment);
        if (dataStart > size) {
            throw c.error("the data section would start at byte " + dataStart + " (aligned to " + alignment + "), past the end ("
                    + size + " bytes)");
        }
        return new GgufFile(path, arena, (int) version, metadata, place(c, raw, file, dataStart, size, alignment));
    }

    private static long alignment(GgufCursor c, Map<String, GgufValue> kv) {
        GgufValue a = kv.get(ALIGNMENT_KEY);
        if (a == null) {
            return DEFAULT_ALIGNMENT;
        }
        long v = a.value() instanceof Long l ? l : -1;
        if (a.type() != GgufValueType.UINT32 || v <= 0 || Long.bitCount(v) != 1) {
            throw c.error("metadata '" + ALIGNMENT_KEY + "' must be a UINT32 power of two, is " + a.describe());
        }
        return v;
    }

    static long align(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** Checks that the tensors tile the data section and slices their bytes. */
    private static Map<String, GgufTensorInfo> place(GgufCursor c, List<RawTensor> raw, MemorySegment file, long dataStart, long size,
            long alignment) {
        List<RawTensor> byOffset = new ArrayList<>(raw);
        byOffset.sort(Comparator.comparingLong(RawTensor::offset));
        long expected = 0;
        RawTensor previous = null;
        for (RawTensor t : byOffset) {
            if (t.offset() != expected) {
                throw c.error("tensor '" + t.name() + "' starts at data offset " + t.offset() + "; expected " + expected
                        + (previous == null ? " (the first tensor starts the data section)" : " (where '" + previous.name()
                                + "' ends, rounded up to the alignment " + alignment + ")")
                        + (t.offset() < expected ? ": tensors overlap" : ": unexplained gap"));
            }
            long end = dataStart + t.offset() + t.bytes();
            if (end > size || end < 0) {
                throw c.error("tensor " + t.describe() + " needs " + t.bytes() + " bytes at data offset " + t.offset()
                        + " but the file ends " + (size - dataStart - t.offset()) + " bytes after its start");
            }
            expected = align(t.offset() + t.bytes(), alignment);
            previous = t;
        }
        long tail = size - dataStart - (previous == null ? 0 : previous.offset() + previous.bytes());
        if (tail >= alignment) {
            throw c.error(tail + " bytes follow the last tensor" + (previous == null ? "" : " '" + previous.name() + "'")
                    + "; at most the alignment padding (" + (alignment - 1) + ") may");
        }
        Map<String, GgufTensorInfo> out = new LinkedHashMap<>();
        for (RawTensor t : raw) {
            MemorySegment bytes = t.bytes() == 0 ? MemorySegment.ofArray(new byte[0]) : file.asSlice(dataStart + t.offset(), t.bytes());
            out.put(t.name(), new GgufTensorInfo(t.name(), t.type(), t.shape(), t.offset(), bytes));
        }
        return Collections.unmodifiableMap(out);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path + ": no tensor '" + name + "'");
        }
        return t;
    }

    /** The arena the file is mapped in: memory allocated here lives as long as the mapping. */
    Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A tensor info as read, before its data is placed. */
    private record RawTensor(String name, GgmlType type, long[] shape, long offset, long bytes) {

        static RawTensor read(GgufCursor c, long index, long alignment) {
            String name = c.string("name of tensor " + index, MAX_NAME_BYTES);
            String what = "tensor '" + name + "'";
            long dims = c.u32(what + " dimension count");
            if (dims < 1 || dims > MAX_DIMS) {
                throw c.error(what + " has " + dims + " dimensions (1 to " + MAX_DIMS + ")");
            }
            long[] shape = new long[(int) dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                long n = c.u64(what + " dimension " + d);
                if (n <= 0) {
                    throw c.error(what + " dimension " + d + " is " + Long.toUnsignedString(n) + " (must be >= 1)");
                }
                shape[(int) dims - 1 - d] = n; // GGUF lists the fastest dimension first
                if (elements > Long.MAX_VALUE / n) {
                    throw c.error(what + " has more elements than a file can hold");
                }
                elements *= n;
            }
            long typeId = c.u32(what + " type");
            GgmlType type = GgmlType.of(typeId);
            if (type == null) {
                throw c.error(what + " has type " + GgmlType.nameOf(typeId) + "; the engine reads F32, F16, BF16 and Q8_0");
            }
            if (shape[shape.length - 1] % type.blockElements != 0) {
                throw c.error(what + " is " + type + " with rows of " + shape[shape.length - 1] + " elements, not a multiple of its block ("
                        + type.blockElements + ")");
            }
            long bytes;
            try {
                bytes = type.bytes(elements);
            } catch (ArithmeticException e) {
                throw c.error(what + " has more bytes than a file can hold");
            }
            long offset = c.u64(what + " offset");
            if (offset < 0 || offset % alignment != 0) {
                throw c.error(what + " has data offset " + Long.toUnsignedString(offset) + ", not a multiple of the alignment " + alignment);
            }
            return new RawTensor(name, type, shape, offset, bytes);
        }

        String describe() {
            return "'" + name + "' (" + type + java.util.Arrays.toString(shape) + ")";
        }
    }
}
