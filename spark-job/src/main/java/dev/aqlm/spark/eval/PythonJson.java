package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code json.dumps(value, indent=2, ensure_ascii=False)}, byte for byte: lm-eval hashes that text as a
 * sample's {@code doc_hash}. Only {@code "}, {@code \} and control characters are escaped.
 */
public final class PythonJson {
    private PythonJson() {
    }

    public static String dumps(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, 0, out);
        return out.toString();
    }

    private static void write(JsonNode value, int depth, StringBuilder out) {
        if (value.isObject()) {
            if (value.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            Iterator<Map.Entry<String, JsonNode>> fields = value.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                newline(depth + 1, out);
                string(field.getKey(), out);
                out.append(": ");
                write(field.getValue(), depth + 1, out);
                if (fields.hasNext()) {
                    out.append(',');
                }
            }
            newline(depth, out);
            out.append('}');
        } else if (value.isArray()) {
            if (value.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                newline(depth + 1, out);
                write(value.get(i), depth + 1, out);
                if (i + 1 < value.size()) {
                    out.append(',');
                }
            }
            newline(depth, out);
            out.append(']');
        } else if (value.isTextual()) {
            string(value.asText(), out);
        } else if (value.isFloatingPointNumber()) {
            double number = value.asDouble();
            out.append(Double.isNaN(number) ? "NaN" : Double.isInfinite(number)
                    ? (number > 0 ? "Infinity" : "-Infinity") : PythonFloats.repr(number));
        } else if (value.isBoolean()) {
            out.append(value.asBoolean() ? "true" : "false");
        } else if (value.isNull() || value.isMissingNode()) {
            out.append("null");
        } else {
            out.append(value.asText());
        }
    }

    private static void newline(int depth, StringBuilder out) {
        out.append('\n').append("  ".repeat(depth));
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
