package org.qins.codec;

/**
 * Which weights share one range: the whole tensor, one row, or blocks of {@code size} inputs
 * within a row (the last block of a row may be shorter).
 *
 * @param kind  tensor, row or block
 * @param size  block length for {@link Kind#BLOCK}; 0 otherwise
 */
public record Grouping(Kind kind, int size) {

    public enum Kind { TENSOR, ROW, BLOCK }

    public static final Grouping TENSOR = new Grouping(Kind.TENSOR, 0);
    public static final Grouping ROW = new Grouping(Kind.ROW, 0);

    public Grouping {
        if (kind == Kind.BLOCK && size <= 0) {
            throw new IllegalArgumentException("block group size must be positive, got " + size);
        }
        if (kind != Kind.BLOCK) {
            size = 0;
        }
    }

    public static Grouping block(int size) {
        return new Grouping(Kind.BLOCK, size);
    }

    /** Parses {@code tensor}, {@code row} or a block length. */
    public static Grouping parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "tensor" -> TENSOR;
            case "row" -> ROW;
            default -> {
                try {
                    yield block(Integer.parseInt(s.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("group must be tensor, row or a block length, got '" + s + "'");
                }
            }
        };
    }

    /** Weights per group along a row of {@code cols} inputs (tensor and row: the whole row). */
    public int groupLength(int cols) {
        return kind == Kind.BLOCK ? Math.min(size, cols) : cols;
    }

    /** Groups stored per row: 0 for a whole-tensor range (one shared range). */
    public int groupsPerRow(int cols) {
        return switch (kind) {
            case TENSOR -> 0;
            case ROW -> 1;
            case BLOCK -> (cols + size - 1) / size;
        };
    }

    /** Number of stored ranges for a {@code rows x cols} tensor. */
    public long rangeCount(int rows, int cols) {
        return kind == Kind.TENSOR ? 1 : (long) rows * groupsPerRow(cols);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TENSOR -> "tensor";
            case ROW -> "row";
            case BLOCK -> Integer.toString(size);
        };
    }
}
