package dev.aqlm.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.checkpoint.CheckpointException;
import dev.aqlm.runtime.checkpoint.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Hugging Face config.json into a {@link ModelConfig}. Handles both AQLM config spellings (quantization_config
 * and the legacy top-level "aqlm" block), both RoPE spellings (rope_theta + rope_scaling, and rope_parameters) and both
 * dtype keys (torch_dtype, dtype). Anything aqlm-spark cannot run is rejected here, naming the key.
 */
public final class ModelConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelConfigReader() {
    }

    public static ModelConfig read(Path modelDirectory) {
        Path file = modelDirectory.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(modelDirectory + ": no config.json; point --model at a Hugging Face checkpoint directory");
        }
        try {
            return parse(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot parse (" + e.getMessage() + ")", e);
        }
    }

    static ModelConfig parse(JsonNode root, String where) {
        Architecture architecture = Architecture.fromModelType(requiredText(root, "model_type", where), where);
        String activation = text(root, "hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw new CheckpointException(where + ": hidden_act \"" + activation + "\" is not supported (only silu)");
        }
        int hiddenSize = positive(requiredInt(root, "hidden_size", where), "hidden_size", where);
        int headCount = positive(requiredInt(root, "num_attention_heads", where), "num_attention_heads", where);
        int kvHeadCount = positive(intOr(root, "num_key_value_heads", headCount, where), "num_key_value_heads",
                where);
        if (headCount % kvHeadCount != 0) {
            throw new CheckpointException(where + ": num_attention_heads " + headCount
                    + " is not a multiple of num_key_value_heads " + kvHeadCount);
        }
        int headDim = positive(intOr(root, "head_dim", hiddenSize / headCount, where), "head_dim", where);
        if (headDim % 2 != 0) {
            throw new CheckpointException(where + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
        int maxPositions = positive(intOr(root, "max_position_embeddings", 2048, where), "max_position_embeddings",
                where);
        int slidingWindow = architecture.honoursSlidingWindow() ? intOr(root, "sliding_window", 0, where) : 0;
        int expertCount = architecture.mixtureOfExperts()
                ? positive(requiredInt(root, "num_local_experts", where), "num_local_experts", where) : 0;
        int expertsPerToken = architecture.mixtureOfExperts()
                ? positive(requiredInt(root, "num_experts_per_tok", where), "num_experts_per_tok", where) : 0;
        if (expertsPerToken > expertCount) {
            throw new CheckpointException(where + ": num_experts_per_tok " + expertsPerToken
                    + " exceeds num_local_experts " + expertCount);
        }
        return new ModelConfig(
                architecture,
                positive(requiredInt(root, "vocab_size", where), "vocab_size", where),
                hiddenSize,
                positive(requiredInt(root, "intermediate_size", where), "intermediate_size", where),
                positive(requiredInt(root, "num_hidden_layers", where), "num_hidden_layers", where),
                headCount,
                kvHeadCount,
                headDim,
                doubleOr(root, "rms_norm_eps", 1e-6),
                readRope(root, where),
                maxPositions,
                slidingWindow,
                root.path("tie_word_embeddings").asBoolean(false),
                readDtype(root, where),
                intOr(root, "bos_token_id", -1, where),
                readTokenIds(root.get("eos_token_id")),
                expertCount,
                expertsPerToken,
                readQuantization(root, where));
    }

    private static DType readDtype(JsonNode root, String where) {
        String name = text(root, "torch_dtype", text(root, "dtype", "float16"));
        return DType.fromTorchName(name, where);
    }

    static RopeConfig readRope(JsonNode root, String where) {
        // transformers 5 nests everything under rope_parameters; older configs use rope_theta + rope_scaling.
        JsonNode parameters = present(root.get("rope_parameters")) ? root.get("rope_parameters") : root.get("rope_scaling");
        double theta = present(root.get("rope_parameters")) && present(root.get("rope_parameters").get("rope_theta"))
                ? root.get("rope_parameters").get("rope_theta").asDouble()
                : doubleOr(root, "rope_theta", 10000.0);
        if (!present(parameters)) {
            return RopeConfig.unscaled(theta);
        }
        String type = text(parameters, "rope_type", text(parameters, "type", "default"));
        return switch (type) {
            case "default" -> RopeConfig.unscaled(theta);
            case "linear" -> new RopeConfig(theta, RopeConfig.Scaling.LINEAR, requiredDouble(parameters, "factor", where),
                    1, 1, 0);
            case "llama3" -> RopeConfig.llama3(theta,
                    requiredDouble(parameters, "factor", where),
                    requiredDouble(parameters, "low_freq_factor", where),
                    requiredDouble(parameters, "high_freq_factor", where),
                    requiredInt(parameters, "original_max_position_embeddings", where));
            default -> throw new CheckpointException(where + ": rope type \"" + type
                    + "\" is not supported (default, linear and llama3 are)");
        };
    }

    static AqlmConfig readQuantization(JsonNode root, String where) {
        JsonNode block = root.get("quantization_config");
        if (present(block)) {
            String method = text(block, "quant_method", "");
            if (!method.equals("aqlm")) {
                throw new CheckpointException(where + ": quantization_config.quant_method \"" + method
                        + "\" is not supported (aqlm-spark runs AQLM and dense checkpoints)");
            }
        } else if (present(root.get("aqlm"))) {
            block = root.get("aqlm"); // legacy custom-code checkpoints; never trust its defaults, read every value
        } else {
            return null;
        }
        String at = where + ": " + (present(root.get("quantization_config")) ? "quantization_config" : "aqlm");
        int codebooks = requiredInt(block, "num_codebooks", at);
        int bits = requiredInt(block, "nbits_per_codebook", at);
        int inGroup = requiredInt(block, "in_group_size", at);
        int outGroup = requiredInt(block, "out_group_size", at);
        List<String> notQuantized = new ArrayList<>();
        block.path("linear_weights_not_to_quantize").forEach(n -> notQuantized.add(n.asText()));
        return new AqlmConfig(codebooks, bits, inGroup, outGroup, List.copyOf(notQuantized)).requireSupported(at);
    }

    private static List<Integer> readTokenIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> ids.add(n.asInt()));
        } else if (present(node)) {
            ids.add(node.asInt());
        }
        return List.copyOf(ids);
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode value = node.get(key);
        return present(value) ? value.asText() : fallback;
    }

    private static String requiredText(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (!present(value)) {
            throw new CheckpointException(where + ": missing \"" + key + "\"");
        }
        return value.asText();
    }

    private static int intOr(JsonNode node, String key, int fallback, String where) {
        JsonNode value = node.get(key);
        if (present(value) && !value.canConvertToInt()) {
            throw new CheckpointException(where + ": \"" + key + "\" is " + value + ", not an integer");
        }
        return present(value) ? value.asInt() : fallback;
    }

    private static int requiredInt(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (!present(value) || !value.canConvertToInt()) {
            throw new CheckpointException(where + ": missing or non-integer \"" + key + "\"");
        }
        return value.asInt();
    }

    /** Counts and sizes: a zero or negative one would only fail later, as an arithmetic or allocation error. */
    private static int positive(int value, String key, String where) {
        if (value < 1) {
            throw new CheckpointException(where + ": \"" + key + "\" is " + value + "; it must be a positive integer");
        }
        return value;
    }

    private static double doubleOr(JsonNode node, String key, double fallback) {
        JsonNode value = node.get(key);
        return present(value) ? value.asDouble() : fallback;
    }

    private static double requiredDouble(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (!present(value) || !value.isNumber()) {
            throw new CheckpointException(where + ": missing or non-numeric \"" + key + "\"");
        }
        return value.asDouble();
    }
}
