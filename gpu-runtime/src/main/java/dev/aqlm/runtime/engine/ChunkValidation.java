package dev.aqlm.runtime.engine;

import java.util.List;

/** Checks a batch before any backend touches its cache: distinct slots in range, positions inside the context. */
public final class ChunkValidation {
    private ChunkValidation() {
    }

    public static void check(List<SequenceChunk> chunks, int slots, int context, int vocab) {
        boolean[] used = new boolean[slots];
        for (SequenceChunk chunk : chunks) {
            int slot = chunk.slot();
            if (slot < 0 || slot >= slots) {
                throw new IllegalArgumentException("slot " + slot + " is outside [0, " + slots + ")");
            }
            if (used[slot]) {
                throw new IllegalArgumentException("slot " + slot + " appears twice in one batch");
            }
            used[slot] = true;
            if (chunk.length() == 0 || chunk.startPosition() < 0 || chunk.endPosition() > context) {
                throw new IllegalArgumentException("chunk of " + chunk.length() + " tokens at position "
                        + chunk.startPosition() + " does not fit the context of " + context);
            }
            for (int token : chunk.tokens()) {
                if (token < 0 || token >= vocab) {
                    throw new InvalidRequestException("token id " + token + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
            if (chunk.output() instanceof ChunkOutput.TargetLogProbs scored) {
                if (scored.targets().length > chunk.length()) {
                    throw new IllegalArgumentException(scored.targets().length + " targets for a chunk of "
                            + chunk.length() + " tokens");
                }
                for (int token : scored.targets()) {
                    if (token < 0 || token >= vocab) {
                        throw new InvalidRequestException("target token id " + token + " is outside the vocabulary");
                    }
                }
            }
        }
    }
}
