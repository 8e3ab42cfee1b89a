package dev.aqlm.runtime.parallel;

import dev.aqlm.runtime.engine.InvalidRequestException;

/** A tensor-parallel size or device list that cannot host the model as asked. */
public class TensorParallelException extends InvalidRequestException {
    public TensorParallelException(String message) {
        super(message);
    }
}
