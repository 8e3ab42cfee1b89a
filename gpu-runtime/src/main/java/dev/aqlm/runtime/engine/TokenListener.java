package dev.aqlm.runtime.engine;

/** Receives a sequence's completion as it is generated (streaming). Called on the thread that drives the scheduler. */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param requestId the request's id
     * @param token     the token just generated
     * @param text      the text it completes; empty while a character or a possible stop string is incomplete
     */
    void onToken(String requestId, int token, String text);
}
