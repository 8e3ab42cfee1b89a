package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.checkpoint.CheckpointException;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds each tensor a {@link ModelConfig} needs under its Hugging Face name and checks its shape and dtype, so that
 * backends receive a model known to be complete. This is the only place that spells checkpoint tensor names.
 */
public final class WeightsLoader {
    private final Checkpoint checkpoint;
    private final ModelConfig config;
    /** Tensors the config accounts for; any other tensor means config.json and the weights disagree. */
    private final Set<String> claimed = new HashSet<>();

    private WeightsLoader(Checkpoint checkpoint, ModelConfig config) {
        this.checkpoint = checkpoint;
        this.config = config;
    }

    public static ModelWeights load(Checkpoint checkpoint, ModelConfig config) {
        return new WeightsLoader(checkpoint, config).load();
    }

    private ModelWeights load() {
        int hidden = config.hiddenSize();
        TensorData embed = floatTensor("model.embed_tokens.weight", config.vocabSize(), hidden);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.layerCount(); i++) {
            layers.add(layer("model.layers." + i + "."));
        }
        TensorData norm = floatTensor("model.norm.weight", hidden);
        TensorData lmHead = config.tieWordEmbeddings() && !checkpoint.contains("lm_head.weight")
                ? embed
                : floatTensor("lm_head.weight", config.vocabSize(), hidden);
        requireNothingUnclaimed();
        return new ModelWeights(config, embed, List.copyOf(layers), norm, lmHead);
    }

    /** Refuses tensors config.json does not account for (e.g. more layers stored than num_hidden_layers says). */
    private void requireNothingUnclaimed() {
        List<String> extra = checkpoint.tensorNames().stream()
                .filter(name -> !claimed.contains(name) && !name.endsWith(".rotary_emb.inv_freq")) // a recomputed buffer
                .sorted().toList();
        if (!extra.isEmpty()) {
            throw new CheckpointException(checkpoint.directory() + ": " + extra.size() + " tensor(s) that config.json"
                    + " does not account for, e.g. " + String.join(", ", extra.subList(0, Math.min(5, extra.size())))
                    + " (config.json says " + config.layerCount() + " layers); config.json and the weights must come"
                    + " from the same checkpoint");
        }
    }

    private TensorData tensor(String name) {
        claimed.add(name);
        return checkpoint.tensor(name);
    }

    private LayerWeights layer(String prefix) {
        int hidden = config.hiddenSize();
        String attention = prefix + "self_attn.";
        return new LayerWeights(
                floatTensor(prefix + "input_layernorm.weight", hidden),
                linear(attention + "q_proj", config.queryDim(), hidden),
                linear(attention + "k_proj", config.kvDim(), hidden),
                linear(attention + "v_proj", config.kvDim(), hidden),
                linear(attention + "o_proj", hidden, config.queryDim()),
                floatTensor(prefix + "post_attention_layernorm.weight", hidden),
                config.isMixtureOfExperts() ? mixtureOfExperts(prefix + "block_sparse_moe.") : mlp(prefix + "mlp."));
    }

    private FeedForwardWeights mlp(String prefix) {
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        return new FeedForwardWeights(
                linear(prefix + "gate_proj", intermediate, hidden),
                linear(prefix + "up_proj", intermediate, hidden),
                linear(prefix + "down_proj", hidden, intermediate));
    }

    private MixtureOfExpertsWeights mixtureOfExperts(String prefix) {
        int hidden = config.hiddenSize();
        int intermediate = config.intermediateSize();
        List<FeedForwardWeights> experts = new ArrayList<>();
        for (int e = 0; e < config.expertCount(); e++) {
            String expert = prefix + "experts." + e + ".";
            experts.add(new FeedForwardWeights(
                    linear(expert + "w1", intermediate, hidden),
                    linear(expert + "w3", intermediate, hidden),
                    linear(expert + "w2", hidden, intermediate)));
        }
        TensorData router = floatTensor(prefix + "gate.weight", config.expertCount(), hidden);
        return new MixtureOfExpertsWeights(router, List.copyOf(experts), config.expertsPerToken());
    }

    /** A linear layer: AQLM if the checkpoint holds its codes, dense otherwise. */
    private LinearWeights linear(String name, int out, int in) {
        TensorData bias = checkpoint.contains(name + ".bias") ? floatTensor(name + ".bias", out) : null;
        if (!checkpoint.contains(name + ".codes")) {
            return new DenseLinearWeights(name, floatTensor(name + ".weight", out, in), bias);
        }
        AqlmConfig scheme = config.quantization();
        if (scheme == null) {
            throw new CheckpointException(checkpoint.directory() + ": tensor '" + name
                    + ".codes' is AQLM-quantized but config.json has no quantization_config");
        }
        int group = scheme.inGroupSize();
        if (in % group != 0) {
            throw new CheckpointException(checkpoint.directory() + ": " + name + " has " + in
                    + " inputs, not a multiple of in_group_size " + group);
        }
        int books = scheme.codebookCount();
        TensorData codes = tensor(name + ".codes");
        if (codes.dtype() != DType.I8 && codes.dtype() != DType.I16 && codes.dtype() != DType.I32) {
            throw new CheckpointException(codes.info().where() + " has dtype " + codes.dtype()
                    + "; AQLM codes must be I8, I16 or I32");
        }
        if (codes.dtype().bytes() * 8 < scheme.bitsPerCodebook()) {
            throw new CheckpointException(codes.info().where() + " has dtype " + codes.dtype() + ", too narrow for "
                    + scheme.bitsPerCodebook() + "-bit codes");
        }
        long[] expected = {out, in / group, books};
        long[] swapped = {in / group, out, books};
        boolean transposed = !Arrays.equals(codes.shape(), expected) && Arrays.equals(codes.shape(), swapped);
        if (!transposed) {
            checkShape(codes, expected);
        }
        TensorData codebooks = floatTensor(name + ".codebooks", books, scheme.codebookSize(), 1, group);
        TensorData scales = tensor(name + ".scales");
        if (scales.elementCount() != out || scales.dim(0) != out) {
            throw new CheckpointException(scales.info().where() + " has shape " + scales.info().shapeString()
                    + ", expected [" + out + ", 1, 1, 1]");
        }
        requireFloat(scales);
        return new AqlmLinearWeights(name, scheme, out, in, codes, codebooks, scales, bias, transposed);
    }

    private TensorData floatTensor(String name, long... shape) {
        TensorData tensor = tensor(name);
        requireFloat(tensor);
        checkShape(tensor, shape);
        return tensor;
    }

    private static void requireFloat(TensorData tensor) {
        if (!tensor.dtype().isFloatingPoint()) {
            throw new CheckpointException(tensor.info().where() + " has dtype " + tensor.dtype()
                    + " where F16, BF16 or F32 is expected");
        }
    }

    private static void checkShape(TensorData tensor, long... expected) {
        if (!Arrays.equals(tensor.shape(), expected)) {
            throw new CheckpointException(tensor.info().where() + " has shape " + tensor.info().shapeString()
                    + ", but config.json implies " + Arrays.toString(expected));
        }
    }
}
