package dev.aqlm.runtime.scoring;

/** Told after every forward pass how far a scoring call has come (e.g. to draw a progress bar). */
@FunctionalInterface
public interface ScoringProgress {
    ScoringProgress NONE = (done, total, tokens) -> { };

    /**
     * @param inputsDone    distinct model inputs fully scored so far (identical requests count once)
     * @param inputsTotal   distinct model inputs of this call
     * @param tokensComputed tokens run through the model so far in this call
     */
    void advanced(int inputsDone, int inputsTotal, long tokensComputed);
}
