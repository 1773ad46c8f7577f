package org.qins.transformer.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** GGUF bytes written field by field, right or wrong, for the reader's rule tests. */
final class RawGguf {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    RawGguf u32(long v) {
        GgufWriter.le(out, v, 4);
        return this;
    }

    RawGguf u64(long v) {
        GgufWriter.le(out, v, 8);
        return this;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf str(String s) {
        GgufWriter.str(out, s);
        return this;
    }

    RawGguf bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Header: magic, version 3, counts. */
    RawGguf header(long tensors, long kvs) {
        return u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs);
    }

    /** A tensor info: name, dims (fastest first), type, offset. */
    RawGguf tensor(String name, long[] dimsFastestFirst, long type, long offset) {
        str(name).u32(dimsFastestFirst.length);
        for (long d : dimsFastestFirst) {
            u64(d);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to a multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    Path write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
        return file;
    }
}
