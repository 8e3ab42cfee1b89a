package dev.aqlm.runtime.hub;

import dev.aqlm.runtime.errors.AqlmException;

/** A model that cannot be found, reached or verified on the Hugging Face Hub or in its local cache. */
public class HubException extends AqlmException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
