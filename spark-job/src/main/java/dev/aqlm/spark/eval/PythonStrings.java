package dev.aqlm.spark.eval;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/** Python 3 string semantics that lm-eval's task code relies on and Java spells differently. */
public final class PythonStrings {
    private PythonStrings() {
    }

    /**
     * {@code str.capitalize()} (Python >= 3.8): the first character in title case, all the rest in lower case.
     * Full case mappings apply ("ß" titles to "Ss", "ǆ" to "ǅ"; a final sigma lowers to "ς").
     */
    public static String capitalize(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int first = text.codePointAt(0);
        int rest = Character.charCount(first);
        return titleCase(first) + lowerRest(text, rest);
    }

    private static String titleCase(int codePoint) {
        int title = Character.toTitleCase(codePoint);
        if (title != codePoint || Character.isTitleCase(codePoint)) {
            return new String(Character.toChars(title));
        }
        // No one-to-one title mapping: take the full upper-case mapping ("ß" -> "SS", "ŉ" -> "ʼN") and keep it upper
        // only up to its first cased letter, as SpecialCasing's title mappings do ("Ss", "ʼN").
        String upper = new String(Character.toChars(codePoint)).toUpperCase(Locale.ROOT);
        if (upper.codePointCount(0, upper.length()) == 1) {
            return new String(Character.toChars(codePoint)); // title-cases to itself (Georgian Mkhedruli, no case)
        }
        int end = 0;
        while (end < upper.length()) {
            int next = upper.codePointAt(end);
            end += Character.charCount(next);
            if (isCased(next)) {
                break;
            }
        }
        String tail = upper.substring(end);
        // Greek letters with iota subscript: upper case spells the subscript as capital iota, title case keeps it as
        // the combining ypogegrammeni (U+0345).
        boolean iotaSubscript = Normalizer.normalize(new String(Character.toChars(codePoint)), Normalizer.Form.NFD)
                .indexOf('\u0345') >= 0;
        return upper.substring(0, end)
                + (iotaSubscript ? tail.replace('\u0399', '\u0345') : tail.toLowerCase(Locale.ROOT));
    }

    /** Lower case from {@code from} on; a capital sigma lowers by Python's Final_Sigma rule, not Java's. */
    private static String lowerRest(String text, int from) {
        StringBuilder lowered = new StringBuilder(text.length());
        for (int i = from; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (codePoint == CAPITAL_SIGMA) {
                lowered.append(isFinalSigma(text, i) ? 'ς' : 'σ');
            } else {
                lowered.append(new String(Character.toChars(codePoint)).toLowerCase(Locale.ROOT));
            }
            i += Character.charCount(codePoint);
        }
        return lowered.toString();
    }

    private static final int CAPITAL_SIGMA = 0x3A3;

    /** Unicode's Final_Sigma context: a cased letter before it and none after it (case-ignorables skipped). */
    private static boolean isFinalSigma(String text, int at) {
        int before = at;
        int previous = -1;
        while (before > 0) {
            previous = text.codePointBefore(before);
            before -= Character.charCount(previous);
            if (!isCaseIgnorable(previous)) {
                break;
            }
            previous = -1;
        }
        if (previous < 0 || !isCased(previous)) {
            return false;
        }
        for (int after = at + 1; after < text.length(); ) {
            int next = text.codePointAt(after);
            if (!isCaseIgnorable(next)) {
                return !isCased(next);
            }
            after += Character.charCount(next);
        }
        return true;
    }

    private static boolean isCased(int codePoint) {
        return Character.isLowerCase(codePoint) || Character.isUpperCase(codePoint) || Character.isTitleCase(codePoint);
    }

    /** Case_Ignorable: marks, format characters, modifiers, and the word-internal punctuation of UAX #29. */
    private static boolean isCaseIgnorable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                    Character.MODIFIER_SYMBOL:
                return true;
            default:
                break;
        }
        return switch (codePoint) {
            case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55,
                    0xFF07, 0xFF0E, 0xFF1A -> true;
            default -> false;
        };
    }

    /** {@code len(s)}: code points, not UTF-16 units. */
    public static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    /** {@code len(s.encode("utf-8"))}. */
    public static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
