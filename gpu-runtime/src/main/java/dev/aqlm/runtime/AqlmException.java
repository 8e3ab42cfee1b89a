package dev.aqlm.runtime;

/**
 * The one unchecked exception family of aqlm-spark. Subclasses say where the fault lies (a checkpoint, a request, the
 * GPU); every message names the file, tensor, row or option at fault and what to do about it.
 */
public class AqlmException extends RuntimeException {
    public AqlmException(String message) {
        super(message);
    }

    public AqlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
