package org.qins.codec;

import java.util.Locale;

/**
 * How codes and signs are laid out. All layouts share the codec formula; they differ in the number
 * of levels ({@code maxCode}: 255 or 127, code 0 reserved for zero) and in where the sign lives.
 */
public enum QinsLayout {
    /** The original: code byte in [1,255] plus a whole sign byte per weight, one range per tensor (2 B/weight). */
    QINS8_SEED("qins8-seed", 255),
    /** The 255-level code byte, signs in a separate bit-plane (1 bit/weight). */
    QINS9("qins9", 255),
    /** Sign bit + 7-bit code in one byte: 127 levels. */
    QINS8("qins8", 127);

    private final String id;
    private final int maxCode;

    QinsLayout(String id, int maxCode) {
        this.id = id;
        this.maxCode = maxCode;
    }

    /** The stored-format name ({@code qins9}, ...). */
    public String id() {
        return id;
    }

    /** Largest code: 255 or 127. Codes run 1..maxCode (large |w| -> small code); 0 means zero. */
    public int maxCode() {
        return maxCode;
    }

    /** Log steps between the smallest and largest code: {@code maxCode - 1}. */
    public int steps() {
        return maxCode - 1;
    }

    /** True when the sign is the code byte's top bit (qins8) rather than a separate plane. */
    public boolean signInCode() {
        return this == QINS8;
    }

    public static QinsLayout fromId(String id) {
        String s = id.trim().toLowerCase(Locale.ROOT);
        for (QinsLayout l : values()) {
            if (l.id.equals(s)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown QINS layout '" + id + "' (expected qins9, qins8 or qins8-seed)");
    }

    /** The layout of a stored format name, or null if the name is not a QINS layout. */
    public static QinsLayout ofFormat(String format) {
        for (QinsLayout l : values()) {
            if (l.id.equals(format)) {
                return l;
            }
        }
        return null;
    }
}
