package dev.aqlm.runtime.scoring;

import java.util.regex.Pattern;

/**
 * Whitespace exactly as Python 3 defines it for {@code str.strip()}, {@code str.isspace()} and the regex {@code \s}:
 * Unicode White_Space plus the separators U+001C..U+001F. Java's {@code String.strip()} drops no-break spaces that
 * Python strips, and Java's Unicode {@code \s} misses U+001C..U+001F, so lm-eval's rules need this set spelled out.
 */
public final class PythonWhitespace {
    /** A regex character class matching one Python whitespace character. */
    public static final String CHARACTER_CLASS =
            "[\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

    private static final Pattern RUNS = Pattern.compile(CHARACTER_CLASS + "+");

    private PythonWhitespace() {
    }

    public static boolean isSpace(int codePoint) {
        return switch (codePoint) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                    0x202F, 0x205F, 0x3000 -> true;
            default -> codePoint >= 0x2000 && codePoint <= 0x200A;
        };
    }

    /** Python's {@code s.rstrip()}. */
    public static String rstrip(String text) {
        int end = text.length();
        while (end > 0 && isSpace(text.codePointBefore(end))) {
            end -= Character.charCount(text.codePointBefore(end));
        }
        return text.substring(0, end);
    }

    /** Python's {@code s.lstrip()}. */
    public static String lstrip(String text) {
        int start = 0;
        while (start < text.length() && isSpace(text.codePointAt(start))) {
            start += Character.charCount(text.codePointAt(start));
        }
        return text.substring(start);
    }

    /** Python's {@code s.strip()}. */
    public static String strip(String text) {
        return lstrip(rstrip(text));
    }

    /**
     * Python's {@code re.split(r"\s+", text)}: empty strings stay at both ends when the text starts or ends with
     * whitespace (Java's {@code split} would drop the trailing ones without the -1 limit).
     */
    public static String[] splitOnRuns(String text) {
        return RUNS.split(text, -1);
    }
}
