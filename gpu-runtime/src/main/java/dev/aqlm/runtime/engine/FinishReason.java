package dev.aqlm.runtime.engine;

/** Why a sequence stopped; {@link #label()} is what output files and APIs write. */
public enum FinishReason {
    /** The model produced an end-of-sequence token. */
    EOS("eos"),
    /** The text reached one of the request's stop strings (the stop string is not part of the completion). */
    STOP_STRING("stop"),
    /** max_new_tokens were generated. */
    LENGTH("length"),
    /** The sequence filled its KV slot's context window. */
    CONTEXT_FULL("context_full"),
    /** The request could not be served; the result carries the error message. */
    ERROR("error");

    private final String label;

    FinishReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
