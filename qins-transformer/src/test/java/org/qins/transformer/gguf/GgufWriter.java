package org.qins.transformer.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes GGUF files (version 3, little-endian) as the public specification lays them out: header, typed
 * key-value metadata, tensor infos with offsets aligned to {@code general.alignment} (32), padding, then
 * the tensor data, each tensor padded to the alignment. Test code: the fixtures' GGUF copies and the
 * broken files of the reader's tests come from here.
 */
public final class GgufWriter {

    public static final int F32 = 0;
    public static final int F16 = 1;
    public static final int Q8_0 = 8;
    public static final int BF16 = 30;

    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    private record Tensor(String name, int type, long[] shape, byte[] data) {
    }

    /** A tensor of ggml type {@code type} with row-major {@code shape} (written fastest dimension first). */
    public GgufWriter tensor(String name, int type, long[] shape, byte[] data) {
        tensors.add(new Tensor(name, type, shape.clone(), data));
        return this;
    }

    public GgufWriter string(String key, String value) {
        header(key, 8);
        str(kv, value);
        return this;
    }

    public GgufWriter u32(String key, long value) {
        header(key, 4);
        le(kv, value, 4);
        return this;
    }

    public GgufWriter i32(String key, long value) {
        header(key, 5);
        le(kv, value, 4);
        return this;
    }

    public GgufWriter f32(String key, float value) {
        header(key, 6);
        le(kv, Float.floatToRawIntBits(value), 4);
        return this;
    }

    public GgufWriter bool(String key, boolean value) {
        header(key, 7);
        kv.write(value ? 1 : 0);
        return this;
    }

    public GgufWriter strings(String key, List<String> values) {
        header(key, 9);
        le(kv, 8, 4);
        le(kv, values.size(), 8);
        values.forEach(v -> str(kv, v));
        return this;
    }

    public GgufWriter floats(String key, float[] values) {
        header(key, 9);
        le(kv, 6, 4);
        le(kv, values.length, 8);
        for (float v : values) {
            le(kv, Float.floatToRawIntBits(v), 4);
        }
        return this;
    }

    public GgufWriter ints(String key, int[] values) {
        header(key, 9);
        le(kv, 5, 4);
        le(kv, values.length, 8);
        for (int v : values) {
            le(kv, v, 4);
        }
        return this;
    }

    /** Sets {@code general.alignment} (written as a UINT32). */
    public GgufWriter alignment(int a) {
        alignment = a;
        return u32(GgufFile.ALIGNMENT_KEY, a);
    }

    private void header(String key, int type) {
        str(kv, key);
        le(kv, type, 4);
        kvCount++;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        le(out, GgufFile.MAGIC, 4);
        le(out, 3, 4);
        le(out, tensors.size(), 8);
        le(out, kvCount, 8);
        out.writeBytes(kv.toByteArray());
        long offset = 0;
        for (Tensor t : tensors) {
            str(out, t.name());
            le(out, t.shape().length, 4);
            for (int d = t.shape().length - 1; d >= 0; d--) {
                le(out, t.shape()[d], 8);
            }
            le(out, t.type(), 4);
            le(out, offset, 8);
            offset = GgufFile.align(offset + t.data().length, alignment);
        }
        pad(out);
        for (Tensor t : tensors) {
            out.writeBytes(t.data());
            pad(out);
        }
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private void pad(ByteArrayOutputStream out) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
    }

    static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        le(out, b.length, 8);
        out.writeBytes(b);
    }

    static void le(ByteArrayOutputStream out, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** Little-endian float32 bytes. */
    public static byte[] f32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** Little-endian float16 bytes (round to nearest even). */
    public static byte[] f16(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(Float.floatToFloat16(x));
        }
        return b.array();
    }

    /** Little-endian bfloat16 bytes (round to nearest even, as torch converts). */
    public static byte[] bf16(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            int bits = Float.floatToRawIntBits(x);
            bits += 0x7fff + ((bits >>> 16) & 1);
            b.putShort((short) (bits >>> 16));
        }
        return b.array();
    }

    /** Q8_0 blocks of a {@code rows x cols} matrix, as llama.cpp's reference quantizer writes them. */
    public static byte[] q8_0(float[] v, long rows, long cols) {
        var seg = java.lang.foreign.MemorySegment.ofArray(new byte[(int) (rows * Q8_0Blocks.rowBytes(cols))]);
        for (long r = 0; r < rows; r++) {
            for (long b = 0; b < cols / Q8_0Blocks.BLOCK; b++) {
                Q8_0Blocks.quantizeBlock(v, (int) (r * cols + b * Q8_0Blocks.BLOCK), seg,
                        r * Q8_0Blocks.rowBytes(cols) + b * Q8_0Blocks.BLOCK_BYTES);
            }
        }
        return seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
