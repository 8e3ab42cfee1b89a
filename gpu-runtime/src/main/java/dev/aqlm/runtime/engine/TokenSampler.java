package dev.aqlm.runtime.engine;

import java.util.Arrays;

/** The host-side implementation of {@link SamplingParams}' rule, used by the CPU backend and as the GPU's reference. */
public final class TokenSampler {
    private TokenSampler() {
    }

    /** Index of the largest logit; the lowest index wins a tie. */
    public static int argmax(float[] logits, int offset, int length) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < length; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    /** Samples the token at {@code position} from logits[offset, offset + vocab). */
    public static int sample(float[] logits, int offset, int vocab, SamplingParams params, int position) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        // Candidates sorted by logit, descending, ties by id: the order the cumulative draw walks in.
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byLogit = Float.compare(logits[offset + b], logits[offset + a]);
            return byLogit != 0 ? byLogit : Integer.compare(a, b);
        });
        int kept = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        double max = logits[offset + order[0]];
        double[] weights = new double[kept];
        double total = 0;
        for (int i = 0; i < kept; i++) {
            weights[i] = Math.exp((logits[offset + order[i]] - max) / params.temperature());
            total += weights[i];
        }
        if (params.topP() < 1) {
            double cumulative = 0;
            int cut = kept;
            for (int i = 0; i < kept; i++) {
                cumulative += weights[i];
                if (cumulative >= params.topP() * total) {
                    cut = i + 1;
                    break;
                }
            }
            kept = cut;
            total = cumulative;
        }
        if (params.minP() > 0) {
            // weights[0] is the most likely token's, exactly 1, so a weight is its probability ratio to the maximum;
            // the candidates are in descending order, so those that stay are a prefix.
            int cut = 1;
            while (cut < kept && weights[cut] >= params.minP()) {
                cut++;
            }
            if (cut < kept) {
                kept = cut;
                total = 0;
                for (int i = 0; i < kept; i++) {
                    total += weights[i];
                }
            }
        }
        double target = SamplingRandom.uniform(params.seed(), position) * total;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += weights[i];
            if (target < cumulative) {
                return order[i];
            }
        }
        return order[kept - 1];
    }
}
