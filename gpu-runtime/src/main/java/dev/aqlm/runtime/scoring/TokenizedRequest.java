package dev.aqlm.runtime.scoring;

/**
 * A log-likelihood request in token ids: the model conditions on {@code context} and is scored on each token of
 * {@code continuation}. Rolling windows are requests of the same shape.
 */
public record TokenizedRequest(int[] context, int[] continuation) {
    public int length() {
        return context.length + continuation.length;
    }
}
