package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.MixtureOfExpertsWeights;
import java.util.Arrays;

/**
 * Mixtral's sparse MoE: softmax over the router's logits, keep the top-k experts (lowest index on ties), renormalise
 * their weights, and add each chosen expert's output times its weight. Experts run on the rows routed to them, and
 * each row sums its experts in index order, so a row's result does not depend on the rest of the batch.
 */
final class CpuMixtureOfExperts implements CpuFeedForward {
    private final DenseLinear router;
    private final CpuSwiGlu[] experts;
    private final int expertsPerToken;

    CpuMixtureOfExperts(MixtureOfExpertsWeights weights) {
        this.router = new DenseLinear(weights.router().toFloats(), null, weights.experts().size(),
                (int) weights.router().dim(1));
        this.experts = weights.experts().stream().map(CpuSwiGlu::new).toArray(CpuSwiGlu[]::new);
        this.expertsPerToken = weights.expertsPerToken();
    }

    @Override
    public void apply(float[] normed, float[] out, int rows, ParallelLoops loops) {
        int hidden = router.inFeatures();
        int count = experts.length;
        float[] routing = new float[rows * count];
        router.apply(normed, routing, rows, loops);
        float[] weights = new float[rows * count]; // 0 where the expert is not chosen
        for (int r = 0; r < rows; r++) {
            chooseExperts(routing, r * count, weights);
        }
        Arrays.fill(out, 0, rows * hidden, 0f);
        for (int e = 0; e < count; e++) {
            int[] routed = rowsRoutedTo(e, weights, rows);
            if (routed.length == 0) {
                continue;
            }
            float[] input = new float[routed.length * hidden];
            for (int i = 0; i < routed.length; i++) {
                System.arraycopy(normed, routed[i] * hidden, input, i * hidden, hidden);
            }
            float[] expertOut = new float[routed.length * hidden];
            experts[e].apply(input, expertOut, routed.length, loops);
            for (int i = 0; i < routed.length; i++) {
                float weight = weights[routed[i] * count + e];
                for (int d = 0; d < hidden; d++) {
                    out[routed[i] * hidden + d] += weight * expertOut[i * hidden + d];
                }
            }
        }
    }

    private void chooseExperts(float[] routing, int offset, float[] weights) {
        int count = experts.length;
        VectorMath.softmax(routing, offset, count);
        boolean[] chosen = new boolean[count];
        float total = 0;
        for (int k = 0; k < expertsPerToken; k++) {
            int best = -1;
            for (int e = 0; e < count; e++) {
                if (!chosen[e] && (best < 0 || routing[offset + e] > routing[offset + best])) {
                    best = e;
                }
            }
            chosen[best] = true;
            total += routing[offset + best];
        }
        for (int e = 0; e < count; e++) {
            weights[offset + e] = chosen[e] ? routing[offset + e] / total : 0f;
        }
    }

    private static int[] rowsRoutedTo(int expert, float[] weights, int rows) {
        int count = weights.length / rows;
        return java.util.stream.IntStream.range(0, rows).filter(r -> weights[r * count + expert] != 0f).toArray();
    }
}
