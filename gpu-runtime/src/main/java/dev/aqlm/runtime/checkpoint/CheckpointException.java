package dev.aqlm.runtime.checkpoint;

import dev.aqlm.runtime.errors.AqlmException;

/** A checkpoint that cannot be used as it is: a malformed file, a missing or mis-shaped tensor, an unsupported format. */
public class CheckpointException extends AqlmException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
