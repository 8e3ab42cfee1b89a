package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.PythonWhitespace;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lm-eval's {@code wikitext_detokenizer}: undoes WikiText's tokenization (spaced punctuation, {@code @-@} number
 * separators, spaced brackets and quotes, {@code = = =} headings, {@code N} for numbers) with the same replacements
 * in the same order. Python's {@code \s} is Unicode-aware, so the patterns use {@link PythonWhitespace}.
 */
public final class WikitextDetokenizer {
    private static final String S = PythonWhitespace.CHARACTER_CLASS;
    // The pattern really is "/' [0-9]/" with literal slashes (a bug upstream kept for fidelity).
    private static final Pattern SLASHED_QUOTE_DIGIT = Pattern.compile("/' [0-9]/");
    private static final Pattern PARENTHESES = Pattern.compile("\\(" + S + "*([^)]*?)" + S + "*\\)");
    private static final Pattern BRACKETS = Pattern.compile("\\[" + S + "*([^\\]]*?)" + S + "*\\]");
    private static final Pattern BRACES = Pattern.compile("\\{" + S + "*([^}]*?)" + S + "*\\}");
    private static final Pattern DOUBLE_QUOTES = Pattern.compile("\"" + S + "*([^\"]*?)" + S + "*\"");
    private static final Pattern SINGLE_QUOTES = Pattern.compile("'" + S + "*([^']*?)" + S + "*'");

    private WikitextDetokenizer() {
    }

    public static String detokenize(String page) {
        String text = page;
        // contractions
        text = text.replace("s '", "s'");
        text = SLASHED_QUOTE_DIGIT.matcher(text).replaceAll(Matcher.quoteReplacement("/'[0-9]/"));
        // number separators
        text = text.replace(" @-@ ", "-");
        text = text.replace(" @,@ ", ",");
        text = text.replace(" @.@ ", ".");
        // punctuation
        text = text.replace(" : ", ": ");
        text = text.replace(" ; ", "; ");
        text = text.replace(" . ", ". ");
        text = text.replace(" ! ", "! ");
        text = text.replace(" ? ", "? ");
        text = text.replace(" , ", ", ");
        // double brackets
        text = PARENTHESES.matcher(text).replaceAll("($1)");
        text = BRACKETS.matcher(text).replaceAll("[$1]");
        text = BRACES.matcher(text).replaceAll("{$1}");
        text = DOUBLE_QUOTES.matcher(text).replaceAll("\"$1\"");
        text = SINGLE_QUOTES.matcher(text).replaceAll("'$1'");
        // miscellaneous
        text = text.replace("= = = =", "====");
        text = text.replace("= = =", "===");
        text = text.replace("= =", "==");
        text = text.replace(" \u00b0 ", "\u00b0");
        text = text.replace(" \n", "\n");
        text = text.replace("\n ", "\n");
        text = text.replace(" N ", " 1 ");
        text = text.replace(" 's", "'s");
        return text;
    }

    /** lm-eval's word count of the original page: {@code len(re.split(r"\s+", page))}. */
    public static int words(String page) {
        return PythonWhitespace.splitOnRuns(page).length;
    }
}
