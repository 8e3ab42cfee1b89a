package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.io.IoFailures;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one line a user sees for a failed command. Our own exceptions already name the file, option or row and what to
 * do; for anything else (an I/O error from a library, a Spark failure) the line is the most specific message in the
 * cause chain, since the outermost wrapper rarely says more than "job aborted".
 */
final class FailureMessage {
    private FailureMessage() {
    }

    static String of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AqlmException) {
                return cause.getMessage();
            }
        }
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String outer = describe(failure);
        String inner = describe(innermost);
        return innermost == failure || outer.contains(inner) ? outer : outer + ": " + inner;
    }

    /** Whether the failure is ours, i.e. already explained: no hint about --verbose is needed. */
    static boolean explained(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AqlmException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable failure) {
        if (failure instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
            String context = unchecked.getMessage();
            String reason = IoFailures.describe(unchecked.getCause());
            return context == null || context.equals(unchecked.getCause().toString()) ? reason : context + ": " + reason;
        }
        if (failure instanceof IOException io) {
            return IoFailures.describe(io);
        }
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        String firstLine = message.strip().lines().findFirst().orElse(message);
        return firstLine;
    }
}
