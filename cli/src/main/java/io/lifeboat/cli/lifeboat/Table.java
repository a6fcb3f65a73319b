package io.lifeboat.cli.lifeboat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.cli.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The human form of the CLI's output: columns padded to their widest cell, and the fields of one
 * object as aligned {@code name: value} lines. The JSON form is the API's own (see {@link Verb#print}).
 */
final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header;
    }

    Table row(Object... cells) {
        String[] r = new String[header.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        return this;
    }

    /** The table, or {@code empty} when it has no rows. */
    String render(String empty) {
        if (rows.isEmpty()) {
            return empty;
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, width);
        rows.forEach(r -> line(out, r, width));
        return out.toString().stripTrailing();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            l.append(String.format(Locale.ROOT, "%-" + width[i] + "s", cells[i]));
            if (i < cells.length - 1) {
                l.append("  ");
            }
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }

    /** {@code name: value} lines for the given fields of {@code object}, skipping absent and null ones. */
    static String fields(JsonNode object, String... names) {
        int width = 0;
        for (String n : names) {
            width = Math.max(width, n.length());
        }
        StringBuilder out = new StringBuilder();
        for (String n : names) {
            JsonNode v = object.path(n);
            if (v.isMissingNode() || v.isNull()) {
                continue;
            }
            String text = (n.startsWith("bytes") || n.endsWith("Bytes")) && v.isNumber() ? Sizes.human(v.asLong()) : text(v);
            out.append(String.format(Locale.ROOT, "%-" + (width + 1) + "s %s%n", n + ":", text));
        }
        return out.toString().stripTrailing();
    }

    /** A JSON value in one line: strings bare, arrays of scalars comma-separated. */
    static String text(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return "";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(e -> parts.add(text(e)));
            return String.join(",", parts);
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** Byte counts for people: {@code 1.5 GiB}. */
}
