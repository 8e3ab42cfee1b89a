package dev.aqlm.runtime.scoring;

/** lm-eval's {@code loglikelihood(context, continuation)} request, as text. */
public record LoglikelihoodRequest(String context, String continuation) {
    public LoglikelihoodRequest {
        if (context == null || continuation == null) {
            throw new IllegalArgumentException("context and continuation must not be null");
        }
    }
}
