package org.qins.tools.report;

import java.util.List;

/** Rows of cells rendered as left-aligned columns separated by {@code " | "}, or as a Markdown table. */
public final class TextTable {

    private TextTable() {
    }

    /** One line per row, each cell padded to its column's widest cell; trailing spaces removed. */
    public static String render(List<String[]> rows) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * A Markdown (GitHub) table: the first row is the header; {@code |} in a cell is escaped. Rows
     * shorter than the header are padded with empty cells.
     */
    public static String markdown(List<String[]> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int columns = rows.get(0).length;
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            if (row.length > columns) {
                throw new IllegalArgumentException("row " + r + " has " + row.length + " cells, the header " + columns);
            }
            out.append('|');
            for (int i = 0; i < columns; i++) {
                out.append(' ').append(i < row.length ? row[i].replace("|", "\\|") : "").append(" |");
            }
            out.append('\n');
            if (r == 0) {
                out.append("|").append(" --- |".repeat(columns)).append('\n');
            }
        }
        return out.toString();
    }
}
