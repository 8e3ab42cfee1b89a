package dev.aqlm.runtime.parallel;

import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a model splits over N tensor-parallel shards, Megatron style: attention heads and MLP (or expert) intermediate
 * rows divide evenly, each shard owning a contiguous range; key/value heads divide too, or, when N is a multiple of
 * them, each is replicated on N / kvHeads shards (as vLLM does); the vocabulary of lm_head divides in contiguous ranges
 * that may differ by one. Checked from config.json alone, so an impossible N is refused before any weight is read.
 */
public final class TensorParallelPlan {
    private final ModelConfig config;
    private final int size;

    private TensorParallelPlan(ModelConfig config, int size) {
        this.config = config;
        this.size = size;
    }

    /** No sharding: the whole model on one device. */
    public static TensorParallelPlan single(ModelConfig config) {
        return new TensorParallelPlan(config, 1);
    }

    /** The plan for {@code size} shards, or an error that says why not and lists the sizes this model allows. */
    public static TensorParallelPlan of(ModelConfig config, int size) {
        String problem = whyNot(config, size);
        if (problem != null) {
            throw new TensorParallelException("--tensor-parallel " + size + " cannot split " + config.describe() + ": "
                    + problem + "; valid --tensor-parallel values for this model: " + validSizes(config).stream()
                    .map(String::valueOf).collect(Collectors.joining(", ")));
        }
        return new TensorParallelPlan(config, size);
    }

    /** Every shard count this model's shapes allow (1 always; at most its attention head count). */
    public static List<Integer> validSizes(ModelConfig config) {
        return IntStream.rangeClosed(1, config.headCount()).filter(n -> whyNot(config, n) == null).boxed().toList();
    }

    /** Null when {@code n} shards split every shape evenly, else the first shape that does not split. */
    static String whyNot(ModelConfig config, int n) {
        if (n < 1) {
            return "the shard count must be at least 1";
        }
        if (config.headCount() % n != 0) {
            return config.headCount() + " attention heads do not divide by " + n;
        }
        int kv = config.kvHeadCount();
        if (kv % n != 0 && n % kv != 0) {
            return kv + " key/value heads neither divide by " + n + " nor divide it (for replication)";
        }
        if (config.intermediateSize() % n != 0) {
            return "the intermediate size " + config.intermediateSize() + " does not divide by " + n;
        }
        if (config.isQuantized()) {
            // o_proj and down_proj split along their input: each shard must hold whole AQLM input groups.
            int group = config.quantization().inGroupSize();
            if (config.queryDim() / n % group != 0) {
                return "o_proj's input " + config.queryDim() + " / " + n + " is not a multiple of the AQLM input group "
                        + group;
            }
            if (config.intermediateSize() / n % group != 0) {
                return "down_proj's input " + config.intermediateSize() + " / " + n
                        + " is not a multiple of the AQLM input group " + group;
            }
        }
        return null;
    }

    public ModelConfig config() {
        return config;
    }

    public int size() {
        return size;
    }

    public int headsPerShard() {
        return config.headCount() / size;
    }

    /** Key/value heads each shard holds: its share, or one replicated head when there are fewer heads than shards. */
    public int kvHeadsPerShard() {
        return Math.max(1, config.kvHeadCount() / size);
    }

    /** The first key/value head of shard {@code rank}. */
    public int firstKvHead(int rank) {
        int kv = config.kvHeadCount();
        return kv >= size ? rank * kvHeadsPerShard() : rank / (size / kv);
    }

    /** Rows [from, to) of a split of {@code total} rows that belong to shard {@code rank}: even, or differing by one. */
    public Range range(int total, int rank) {
        return new Range((int) ((long) total * rank / size), (int) ((long) total * (rank + 1) / size));
    }

    public Range vocabulary(int rank) {
        return range(config.vocabSize(), rank);
    }

    /** The decoder shapes one shard computes with: its heads, key/value heads and intermediate rows; vocab stays whole. */
    public ModelConfig shardConfig() {
        ModelConfig c = config;
        return new ModelConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize() / size,
                c.layerCount(), headsPerShard(), kvHeadsPerShard(), c.headDim(), c.rmsNormEps(), c.rope(),
                c.maxPositionEmbeddings(), c.slidingWindow(), c.tieWordEmbeddings(), c.dtype(), c.bosTokenId(),
                c.eosTokenIds(), c.expertCount(), c.expertsPerToken(), c.quantization());
    }

    /** Every shard's view of the weights, in rank order; nothing is copied. One shard is the model itself. */
    public List<ModelShard> shards(ModelWeights weights) {
        if (!weights.config().equals(config)) {
            throw new IllegalArgumentException("the plan was made for another model config");
        }
        if (size == 1) {
            return List.of(new ModelShard(0, this, weights, vocabulary(0)));
        }
        List<ModelShard> shards = new ArrayList<>(size);
        for (int rank = 0; rank < size; rank++) {
            shards.add(new WeightSlicer(this, rank).shard(weights));
        }
        return shards;
    }

    @Override
    public String toString() {
        return "tensor-parallel " + size + " (" + headsPerShard() + " heads, " + kvHeadsPerShard() + " kv heads, "
                + config.intermediateSize() / size + " intermediate rows per shard)";
    }

    /** A half-open range of rows. */
    public record Range(int from, int to) {
        public int length() {
            return to - from;
        }
    }
}
