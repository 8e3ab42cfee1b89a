package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.TensorData;
import dev.aqlm.runtime.model.FeedForwardWeights;
import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.LinearWeights;
import dev.aqlm.runtime.model.MixtureOfExpertsWeights;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.model.RopeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A model resident on one device, uploaded once: the embedding table, per layer the fused q/k/v, output, and
 * feed-forward linears with fp32 norm weights, the final norm, lm_head, and the RoPE cos/sin table. Addresses only;
 * the buffers belong to the pool the model was uploaded into.
 */
record DeviceModel(ModelConfig config, ActivationType type, DeviceAddress embedding, List<Layer> layers,
                   DeviceAddress finalNorm, DeviceLinear lmHead, DeviceAddress ropeCos, DeviceAddress ropeSin,
                   int ropePositions) {

    /** One decoder layer. {@code feedForward} is a {@link Mlp} or a {@link MixtureOfExperts}. */
    public record Layer(DeviceAddress attentionNorm, DeviceLinear queryKeyValue, DeviceLinear output,
                        DeviceAddress feedForwardNorm, FeedForward feedForward) {
    }

    public sealed interface FeedForward permits Mlp, MixtureOfExperts {
    }

    /** gateUp: fused gate/up (rows alternate), feeding the SwiGLU epilogue; down adds into the residual. */
    public record Mlp(DeviceLinear gateUp, DeviceLinear down) implements FeedForward {
    }

    public record MixtureOfExperts(DeviceLinear router, List<Mlp> experts, int expertsPerToken) implements FeedForward {
    }

    /** Weight bytes a decode step reads when every expert runs (dense models: all of them), lm_head included. */
    public long weightBytesPerStep() {
        long total = lmHead.bytesRead();
        for (Layer layer : layers) {
            total += layer.queryKeyValue().bytesRead() + layer.output().bytesRead() + 8L * config.hiddenSize();
            if (layer.feedForward() instanceof Mlp mlp) {
                total += mlp.gateUp().bytesRead() + mlp.down().bytesRead();
            } else {
                MixtureOfExperts moe = (MixtureOfExperts) layer.feedForward();
                long experts = 0;
                for (Mlp expert : moe.experts()) {
                    experts += expert.gateUp().bytesRead() + expert.down().bytesRead();
                }
                total += moe.router().bytesRead() + experts * moe.expertsPerToken() / moe.experts().size();
            }
        }
        return total;
    }

    /** Uploads a checkpoint's weights. {@code ropePositions} bounds the positions the RoPE table covers. */
    public static DeviceModel upload(DeviceMemoryPool pool, ModelWeights weights, int ropePositions) {
        ModelConfig config = weights.config();
        String unsupported = AttentionPlan.unsupportedReason(config.headCount(), config.kvHeadCount(),
                config.headDim());
        if (unsupported == null && config.isMixtureOfExperts()) {
            unsupported = MoePlan.unsupportedReason(config.expertCount(), config.expertsPerToken());
        }
        if (unsupported == null && config.isQuantized()) {
            unsupported = CodeWordFormat.unsupportedReason(config.quantization());
        }
        if (unsupported != null) {
            throw new CudaUnavailableException(unsupported);
        }
        ActivationType type = ActivationType.forCheckpoint(config.dtype());
        WeightUploader uploader = new WeightUploader(type);
        int hidden = config.hiddenSize();
        DeviceBuffer embedding = pool.allocate(2L * config.vocabSize() * hidden, "embed_tokens");
        uploader.uploadRows(embedding, List.of(weights.embedTokens()), FusedRows.single(config.vocabSize()), hidden);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < weights.layers().size(); l++) {
            layers.add(uploadLayer(pool, uploader, config, weights.layers().get(l), "layer " + l));
        }
        DeviceAddress finalNorm = floats(pool, weights.finalNorm(), "model.norm");
        // A tensor-parallel shard's lm_head holds only its slice of the vocabulary.
        int vocabularyRows = Math.toIntExact(weights.lmHead().shape()[0]);
        DeviceLinear lmHead = weights.lmHead() == weights.embedTokens()
                ? DeviceLinear.denseView("lm_head (tied)", embedding, config.vocabSize(), hidden)
                : DeviceLinear.upload(pool, uploader, "lm_head",
                        List.of(new dev.aqlm.runtime.model.DenseLinearWeights("lm_head", weights.lmHead(), null)),
                        FusedRows.single(vocabularyRows), LinearShape.SetMode.SINGLE, new int[] {0, 0});
        DeviceAddress[] rope = ropeTable(pool, config.rope(), config.headDim(), ropePositions);
        return new DeviceModel(config, type, embedding.address(), List.copyOf(layers), finalNorm, lmHead, rope[0],
                rope[1], ropePositions);
    }

    private static Layer uploadLayer(DeviceMemoryPool pool, WeightUploader uploader, ModelConfig config,
                                     LayerWeights layer, String label) {
        int q = config.queryDim();
        int kv = config.kvDim();
        DeviceLinear qkv = DeviceLinear.upload(pool, uploader, label + " q/k/v",
                List.of(layer.query(), layer.key(), layer.value()),
                FusedRows.queryKeyValue(config.headCount(), config.kvHeadCount(), config.headDim()),
                LinearShape.SetMode.RANGES, new int[] {q, q + kv});
        DeviceLinear output = single(pool, uploader, label + " o_proj", layer.output());
        FeedForward feedForward;
        if (layer.feedForward() instanceof MixtureOfExpertsWeights moe) {
            List<Mlp> experts = new ArrayList<>();
            for (int e = 0; e < moe.experts().size(); e++) {
                experts.add(mlp(pool, uploader, label + " expert " + e, moe.experts().get(e)));
            }
            DeviceLinear router = DeviceLinear.upload(pool, uploader, label + " router",
                    List.of(new dev.aqlm.runtime.model.DenseLinearWeights(label + " router", moe.router(), null)),
                    FusedRows.single(moe.experts().size()), LinearShape.SetMode.SINGLE, new int[] {0, 0});
            feedForward = new MixtureOfExperts(router, List.copyOf(experts), moe.expertsPerToken());
        } else {
            feedForward = mlp(pool, uploader, label, (FeedForwardWeights) layer.feedForward());
        }
        return new Layer(floats(pool, layer.attentionNorm(), label + " input_layernorm"), qkv, output,
                floats(pool, layer.feedForwardNorm(), label + " post_attention_layernorm"), feedForward);
    }

    private static Mlp mlp(DeviceMemoryPool pool, WeightUploader uploader, String label, FeedForwardWeights weights) {
        DeviceLinear gateUp = DeviceLinear.upload(pool, uploader, label + " gate/up",
                List.of(weights.gate(), weights.up()), FusedRows.gateUp(weights.gate().outFeatures()),
                LinearShape.SetMode.INTERLEAVED, new int[] {0, 0});
        return new Mlp(gateUp, single(pool, uploader, label + " down_proj", weights.down()));
    }

    private static DeviceLinear single(DeviceMemoryPool pool, WeightUploader uploader, String label,
                                       LinearWeights weights) {
        return DeviceLinear.upload(pool, uploader, label, List.of(weights), FusedRows.single(weights.outFeatures()),
                LinearShape.SetMode.SINGLE, new int[] {0, 0});
    }

    private static DeviceAddress floats(DeviceMemoryPool pool, TensorData tensor, String label) {
        float[] values = tensor.toFloats();
        DeviceBuffer buffer = pool.allocate(4L * values.length, label);
        buffer.upload(values, 0);
        return buffer.address();
    }

    /** cos/sin [positions][headDim/2] in fp32, from RopeConfig's inverse frequencies (as the CPU backend builds it). */
    static DeviceAddress[] ropeTable(DeviceMemoryPool pool, RopeConfig rope, int headDim, int positions) {
        float[][] table = ropeValues(rope, headDim, positions);
        DeviceBuffer cos = pool.allocate(4L * table[0].length, "rope cos");
        DeviceBuffer sin = pool.allocate(4L * table[1].length, "rope sin");
        cos.upload(table[0], 0);
        sin.upload(table[1], 0);
        return new DeviceAddress[] {cos.address(), sin.address()};
    }

    /** {cos, sin}, each [positions][headDim/2]; angles in double, rounded once. */
    public static float[][] ropeValues(RopeConfig rope, int headDim, int positions) {
        int half = headDim / 2;
        double[] inverse = rope.inverseFrequencies(headDim);
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inverse[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }
}
