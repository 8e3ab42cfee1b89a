package dev.aqlm.spark.executor;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Spark job failure caused by one of our errors on an executor (e.g. a model that cannot be loaded there)
 * into that error's own message. Spark reports a task's exception as text inside "Job aborted due to stage failure",
 * so the message is found in the cause chain or, failing that, in the text.
 */
public final class ExecutorFailures {
    private static final Pattern OUR_EXCEPTION = Pattern.compile("(dev\\.aqlm\\.[\\w.$]+(?:Exception|Error)): ([^\\n]*)");

    private ExecutorFailures() {
    }

    /**
     * @param where  what failed, e.g. "wave 2/5 of out/"
     * @param advice what the user can do about it, appended to a failure that happened on an executor
     */
    public static RuntimeException explain(Exception failure, String where, String advice) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof AqlmException) {
                return new AqlmException(where + " failed: " + t.getMessage(), failure);
            }
        }
        Matcher m = OUR_EXCEPTION.matcher(String.valueOf(failure.getMessage()));
        if (m.find()) {
            return new AqlmException(where + " failed on an executor: " + m.group(2)
                    + (advice == null || advice.isEmpty() ? "" : " (" + advice + ")"), failure);
        }
        return failure instanceof RuntimeException runtime ? runtime
                : new IllegalStateException(where + " failed: " + failure.getMessage(), failure);
    }
}
