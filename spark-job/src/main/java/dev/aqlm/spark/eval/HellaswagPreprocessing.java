package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.PythonWhitespace;
import java.util.regex.Pattern;

/**
 * lm-eval's HellaSwag cleanup ({@code tasks/hellaswag/utils.py}): the query is
 * {@code activity_label + ": " + ctx_a + " " + ctx_b.capitalize()}, and the query and every ending go through
 * {@link #preprocess}, which removes the WikiHow markup ({@code [title]}, {@code [step]}, ...).
 */
public final class HellaswagPreprocessing {
    // Python's "." does not match "\n" only; UNIX_LINES gives Java's "." the same reach.
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);

    private HellaswagPreprocessing() {
    }

    /** strip; " [title]" becomes ". "; any "[...]" is deleted; "  " becomes " " in one pass. */
    public static String preprocess(String text) {
        String cleaned = PythonWhitespace.strip(text);
        cleaned = cleaned.replace(" [title]", ". ");
        cleaned = BRACKETED.matcher(cleaned).replaceAll("");
        return cleaned.replace("  ", " ");
    }

    public static String query(String activityLabel, String contextA, String contextB) {
        return preprocess(activityLabel + ": " + contextA + " " + PythonStrings.capitalize(contextB));
    }
}
