package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.ArrayList;
import java.util.List;

/** Gathers a batch's results across its passes (eager) or from its one graph step, per chunk. */
final class ChunkResults {
    /**
     * What one pass brought back, by output index: sampled tokens for outputs [0, samples), log-probabilities and
     * argmax flags for the targets from {@code firstTarget}, and full logits rows where an output asked for them.
     */
    record PassValues(int[] tokens, int firstTarget, float[] logProbs, int[] isArgmax, float[][] logits) {
        /** A graph step's values: a sampled token for every output. */
        static PassValues sampledOnly(int[] tokens) {
            return new PassValues(tokens, tokens.length, new float[0], new int[0], new float[tokens.length][]);
        }
    }

    private final List<SequenceChunk> chunks;
    /** Per chunk: the token sampled after each of its positions (a next-token chunk fills only its last). */
    private final int[][] sampled;
    private final float[][] logProbs;
    private final boolean[][] isArgmax;
    private final float[][][] logits;

    ChunkResults(List<SequenceChunk> chunks) {
        this.chunks = chunks;
        int n = chunks.size();
        this.sampled = new int[n][];
        this.logProbs = new float[n][];
        this.isArgmax = new boolean[n][];
        this.logits = new float[n][][];
        for (int c = 0; c < n; c++) {
            ChunkOutput output = chunks.get(c).output();
            if (output instanceof ChunkOutput.NextToken || output instanceof ChunkOutput.TokensAtEveryPosition) {
                sampled[c] = new int[chunks.get(c).length()];
            } else if (output instanceof ChunkOutput.TargetLogProbs scored) {
                logProbs[c] = new float[scored.targets().length];
                isArgmax[c] = new boolean[scored.targets().length];
            } else if (output instanceof ChunkOutput.AllLogits) {
                logits[c] = new float[chunks.get(c).length()][];
            }
        }
    }

    /** Files each output of {@code pass} under its chunk (padding rows' samples are dropped). */
    void collect(ForwardPlan.Pass pass, PassValues values) {
        for (int i = 0; i < pass.outputs().size(); i++) {
            ForwardPlan.Output output = pass.outputs().get(i);
            if (output instanceof ForwardPlan.Sample sample) {
                if (sample.chunk() != ForwardPlan.Sample.PADDING) {
                    sampled[sample.chunk()][sample.index()] = values.tokens()[i];
                }
            } else if (output instanceof ForwardPlan.Target target) {
                logProbs[target.chunk()][target.index()] = values.logProbs()[i - values.firstTarget()];
                isArgmax[target.chunk()][target.index()] = values.isArgmax()[i - values.firstTarget()] != 0;
            } else if (output instanceof ForwardPlan.Logits row) {
                logits[row.chunk()][row.position()] = values.logits()[i];
            }
        }
    }

    List<ChunkResult> results() {
        List<ChunkResult> list = new ArrayList<>(chunks.size());
        for (int c = 0; c < chunks.size(); c++) {
            ChunkOutput output = chunks.get(c).output();
            if (output instanceof ChunkOutput.NextToken) {
                list.add(ChunkResult.token(sampled[c][sampled[c].length - 1]));
            } else if (output instanceof ChunkOutput.TokensAtEveryPosition) {
                list.add(ChunkResult.sampledTokens(sampled[c]));
            } else if (output instanceof ChunkOutput.TargetLogProbs) {
                list.add(ChunkResult.targets(logProbs[c], isArgmax[c]));
            } else if (output instanceof ChunkOutput.AllLogits) {
                list.add(ChunkResult.logits(logits[c]));
            } else {
                list.add(ChunkResult.EMPTY);
            }
        }
        return list;
    }
}
