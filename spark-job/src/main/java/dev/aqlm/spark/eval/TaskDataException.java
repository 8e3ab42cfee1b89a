package dev.aqlm.spark.eval;

import dev.aqlm.runtime.errors.AqlmException;

/** A dataset row a task cannot use: the message names the task, the document and the field. */
public class TaskDataException extends AqlmException {
    public TaskDataException(String message) {
        super(message);
    }

    public TaskDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
