package dev.aqlm.runtime.bench;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.LinearWeights;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import dev.aqlm.runtime.parallel.ModelShard;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures a loaded model the way users feel it: prefill tokens/s for one long prompt, and decode tokens/s with
 * {@code batch} sequences generating together (one token each per step, greedy, sampled on the backend). Each
 * measurement is preceded by untimed warm-up steps (JIT compilation, CUDA graph capture).
 */
public final class Benchmark {
    private final Backend backend;
    private final String modelName;
    private final String format;
    private final long weightBytes;
    private final int tensorParallel;
    private final long shardWeightBytes;
    private final SplittableRandom random = new SplittableRandom(17);

    public Benchmark(LanguageModel model, String modelName) {
        this(model.backend(), modelName, model.config().weightFormat(), weightBytesPerStep(model.weights()),
                TensorParallelPlan.of(model.config(), model.options().tensorParallel()).shards(model.weights()));
    }

    /** A backend without a checkpoint behind it (synthetic models built on the device, see GpuBench). */
    public Benchmark(Backend backend, String modelName, String format, long weightBytes) {
        this(backend, modelName, format, weightBytes, List.of());
    }

    private Benchmark(Backend backend, String modelName, String format, long weightBytes, List<ModelShard> shards) {
        this.backend = backend;
        this.modelName = modelName;
        this.format = format;
        this.weightBytes = weightBytes;
        this.tensorParallel = Math.max(1, shards.size());
        this.shardWeightBytes = shards.isEmpty() ? weightBytes
                : shards.stream().mapToLong(ModelShard::weightBytes).max().getAsLong();
    }

    /** Bytes a forward step reads from weights as stored: every linear, the norms and lm_head; not the embeddings. */
    public static long weightBytesPerStep(ModelWeights weights) {
        long bytes = weights.linears().mapToLong(LinearWeights::weightBytes).sum();
        bytes += weights.lmHead().byteLength() + weights.finalNorm().byteLength();
        for (var layer : weights.layers()) {
            bytes += layer.attentionNorm().byteLength() + layer.feedForwardNorm().byteLength();
        }
        return bytes;
    }

    public BenchResult prefill(int promptLength, int repeats) {
        int[] prompt = randomTokens(promptLength);
        List<SequenceChunk> step = List.of(new SequenceChunk(0, 0, prompt, ChunkOutput.CACHE_ONLY));
        backend.forward(step);
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            backend.forward(step);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return result("prefill", 1, promptLength, repeats, seconds, promptLength * (double) repeats / seconds);
    }

    /** Decodes {@code steps} tokens for each of {@code batch} sequences that start after a short prompt. */
    public BenchResult decode(int batch, int promptLength, int warmupSteps, int steps) {
        List<SequenceChunk> prompts = new ArrayList<>();
        for (int slot = 0; slot < batch; slot++) {
            prompts.add(new SequenceChunk(slot, 0, randomTokens(promptLength),
                    new ChunkOutput.NextToken(SamplingParams.GREEDY)));
        }
        int[] last = backend.forward(prompts).stream().mapToInt(r -> r.nextToken()).toArray();
        int position = promptLength;
        for (int i = 0; i < warmupSteps; i++, position++) {
            last = decodeStep(backend, last, position);
        }
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++, position++) {
            last = decodeStep(backend, last, position);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return result("decode", batch, batch, steps, seconds, batch * (double) steps / seconds);
    }

    private static int[] decodeStep(Backend backend, int[] last, int position) {
        List<SequenceChunk> chunks = new ArrayList<>(last.length);
        for (int slot = 0; slot < last.length; slot++) {
            chunks.add(new SequenceChunk(slot, position, new int[] {last[slot]},
                    new ChunkOutput.NextToken(SamplingParams.GREEDY)));
        }
        return backend.forward(chunks).stream().mapToInt(r -> r.nextToken()).toArray();
    }

    private BenchResult result(String phase, int batch, int tokensPerStep, int steps, double seconds, double rate) {
        return new BenchResult(modelName, format, backend.description(), phase, batch, backend.replaysDecodeGraphs(),
                tokensPerStep, steps, seconds, rate, weightBytes, "", Double.NaN, tensorParallel, shardWeightBytes);
    }

    private int[] randomTokens(int length) {
        int vocab = backend.config().vocabSize();
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }
}
