package org.qins.codec;

/**
 * Encodes short vectors (one group each) in a shared-width 255-level format with a sign bit-plane,
 * for callers that keep their own storage (the KV cache: one group per token and head). Decoding
 * is {@code sign * scale * magnitudes()[code]}.
 */
public final class GroupCodec {

    private final QinsFormat format;
    private final QinsEncoder encoder;
    private final float[] magnitudes;

    /** {@code format} must have a shared width (clipped policy) and a 255-level layout with a sign plane. */
    public GroupCodec(QinsFormat format, String name) {
        if (!format.policy().sharedWidth() || format.layout().signInCode()) {
            throw new IllegalArgumentException(name + ": group codec needs a clipped 255-level layout, got " + format);
        }
        this.format = format;
        this.encoder = new QinsEncoder(format, name);
        this.magnitudes = DecodeTable.magnitudes(format.sharedStep(), format.layout().maxCode());
    }

    public QinsFormat format() {
        return format;
    }

    /** {@code magnitudes[code]}: the shared decode table (entry 0 is 0). */
    public float[] magnitudes() {
        return magnitudes.clone();
    }

    /**
     * Encodes {@code w[off, off+n)}: codes to {@code codes[cOff..]}, signs (1 = negative) to the bits
     * of {@code plane} starting at byte {@code pOff} (cleared first); returns the scale ({@code max|w|}).
     * Non-finite values are rejected naming the encoder's tensor.
     */
    public float encode(float[] w, int off, int n, byte[] codes, int cOff, byte[] plane, int pOff) {
        for (int i = 0; i < n; i++) {
            encoder.checkFinite(w[off + i], i);
        }
        GroupRange r = encoder.chooseRange(w, off, n, Float.NaN, 0, false);
        encoder.encode(w, off, n, r, codes, cOff);
        java.util.Arrays.fill(plane, pOff, pOff + ((n + 7) >>> 3), (byte) 0);
        for (int i = 0; i < n; i++) {
            if (w[off + i] < 0 && codes[cOff + i] != 0) {
                plane[pOff + (i >>> 3)] |= (byte) (1 << (i & 7));
            }
        }
        return r.scale();
    }
}
