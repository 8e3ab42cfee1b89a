package dev.aqlm.runtime.engine;

/**
 * What the backend returns for one chunk; only the part its {@link ChunkOutput} asked for is set.
 *
 * @param nextToken       the sampled token, or -1
 * @param sampledTokens   the token sampled after each chunk position ({@link ChunkOutput.TokensAtEveryPosition}), or null
 * @param logits          [chunk length][vocab], or null
 * @param targetLogProbs  log p(target i), or null
 * @param targetIsArgmax  whether target i was the most likely token, or null
 */
public record ChunkResult(int nextToken, int[] sampledTokens, float[][] logits, float[] targetLogProbs,
                          boolean[] targetIsArgmax) {
    public static final ChunkResult EMPTY = new ChunkResult(-1, null, null, null, null);

    public static ChunkResult token(int token) {
        return new ChunkResult(token, null, null, null, null);
    }

    public static ChunkResult sampledTokens(int[] tokens) {
        return new ChunkResult(-1, tokens, null, null, null);
    }

    public static ChunkResult logits(float[][] logits) {
        return new ChunkResult(-1, null, logits, null, null);
    }

    public static ChunkResult targets(float[] logProbs, boolean[] isArgmax) {
        return new ChunkResult(-1, null, null, logProbs, isArgmax);
    }
}
