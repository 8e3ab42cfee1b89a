package dev.aqlm.runtime.engine;

/**
 * Tokens of one sequence to run through the model: they are written into KV-cache slot {@code slot} at positions
 * {@code startPosition ...}, attending to everything the slot already holds before {@code startPosition}.
 */
public record SequenceChunk(int slot, int startPosition, int[] tokens, ChunkOutput output) {
    public int length() {
        return tokens.length;
    }

    public int endPosition() {
        return startPosition + tokens.length;
    }
}
