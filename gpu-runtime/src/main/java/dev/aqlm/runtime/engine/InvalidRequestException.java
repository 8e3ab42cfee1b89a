package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.errors.AqlmException;

/** A request the engine cannot serve as given: an empty or over-long prompt, an out-of-range sampling option. */
public class InvalidRequestException extends AqlmException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
