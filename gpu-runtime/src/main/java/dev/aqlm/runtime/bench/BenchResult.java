package dev.aqlm.runtime.bench;

/**
 * One measured row of a benchmark.
 *
 * @param phase           "prefill" or "decode"
 * @param batch           sequences per step (prefill: 1 sequence of {@code tokensPerStep} tokens)
 * @param tokensPerSecond tokens processed (prefill) or generated (decode) per second, all sequences together
 * @param weightBytes     bytes of weights a step reads as stored in the checkpoint (embeddings excluded)
 * @param baseline        the row this one is compared with ("" for none), e.g. "dense f16 decode b1"
 * @param speedup         tokensPerSecond / the baseline's, or NaN
 * @param tensorParallel  shards the model was split over
 * @param shardWeightBytes weights resident on the busiest device (each shard's slices plus the replicated tensors)
 */
public record BenchResult(String model, String format, String device, String phase, int batch, boolean graphs,
                          int tokensPerStep, int steps, double seconds, double tokensPerSecond, long weightBytes,
                          String baseline, double speedup, int tensorParallel, long shardWeightBytes) {

    public double millisecondsPerStep() {
        return seconds * 1e3 / steps;
    }

    public boolean sameModelAs(BenchResult other) {
        return model.equals(other.model) && format.equals(other.format) && tensorParallel == other.tensorParallel;
    }

    /** This row against {@code base}, named by its format, or by its model where the formats are the same. */
    public BenchResult comparedWith(BenchResult base) {
        String baseName = !base.format().equals(format) ? base.format()
                : base.model().equals(model) ? "tp" + base.tensorParallel() : base.model();
        return new BenchResult(model, format, device, phase, batch, graphs, tokensPerStep, steps, seconds,
                tokensPerSecond, weightBytes, baseName + " " + base.phase() + " b" + base.batch(),
                tokensPerSecond / base.tokensPerSecond(), tensorParallel, shardWeightBytes);
    }
}
