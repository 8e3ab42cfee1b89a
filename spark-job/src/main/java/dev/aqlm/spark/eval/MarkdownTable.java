package dev.aqlm.spark.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown table laid out as pytablewriter (behind lm-eval's printed results) lays it out: each column as wide as
 * its widest cell and at least 3; headers centered; columns whose non-blank cells are all numbers right-aligned (the
 * separator ends in ':'), others left-aligned.
 */
final class MarkdownTable {
    private static final int MIN_WIDTH = 3;

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    MarkdownTable(List<String> headers) {
        this.headers = List.copyOf(headers);
    }

    void addRow(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + headers.size() + " columns");
        }
        rows.add(List.copyOf(cells));
    }

    String render() {
        int columns = headers.size();
        int[] widths = new int[columns];
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            widths[c] = Math.max(MIN_WIDTH, width(headers.get(c)));
            numeric[c] = true;
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], width(row.get(c)));
                numeric[c] &= row.get(c).isBlank() || isNumber(row.get(c));
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, c -> center(headers.get(c), widths[c]), columns);
        line(out, c -> numeric[c] ? "-".repeat(widths[c] - 1) + ":" : "-".repeat(widths[c]), columns);
        for (List<String> row : rows) {
            line(out, c -> numeric[c] ? padLeft(row.get(c), widths[c]) : padRight(row.get(c), widths[c]), columns);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, java.util.function.IntFunction<String> cell, int columns) {
        out.append('|');
        for (int c = 0; c < columns; c++) {
            out.append(cell.apply(c)).append('|');
        }
        out.append('\n');
    }

    /** Python's {@code format(text, "^width")}: the odd space goes to the right. */
    private static String center(String text, int width) {
        int pad = width - width(text);
        return " ".repeat(pad / 2) + text + " ".repeat(pad - pad / 2);
    }

    private static String padLeft(String text, int width) {
        return " ".repeat(width - width(text)) + text;
    }

    private static String padRight(String text, int width) {
        return text + " ".repeat(width - width(text));
    }

    private static int width(String text) {
        return text.codePointCount(0, text.length());
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text.trim());
            return !text.trim().isEmpty() && !text.trim().matches("(?i).*(nan|inf).*");
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
