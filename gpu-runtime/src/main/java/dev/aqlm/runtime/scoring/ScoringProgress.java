package dev.aqlm.runtime.scoring;

/** Told when a scoring call starts and after each of its forward passes how far it has come (for a progress bar). */
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
