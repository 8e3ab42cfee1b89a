package dev.aqlm.runtime.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.SafetensorsWriter;
import dev.aqlm.runtime.model.AqlmConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a real Hugging Face-format Llama checkpoint with seeded random weights: config.json (with
 * quantization_config for AQLM), model.safetensors and a byte-level BPE tokenizer. Speed does not depend on the weight
 * values, so these models feed the demo and the benchmarks at real shapes (Llama-2-7B included) without a download.
 * Each tensor is generated from (seed, tensor name), so its values do not depend on the writing order.
 */
public final class SyntheticModelWriter {
    /** Standard deviation of dense weights and of the reconstructed AQLM weights, as in Llama's initialisation. */
    private static final float WEIGHT_SCALE = 0.02f;

    private final SyntheticShape shape;
    private final DType dtype;
    private final AqlmConfig quantization;
    private final long seed;
    private boolean withTokenizer = true;

    /** @param quantization the AQLM scheme of every attention and MLP linear, or null for a dense model */
    public SyntheticModelWriter(SyntheticShape shape, DType dtype, AqlmConfig quantization, long seed) {
        if (dtype != DType.F16 && dtype != DType.BF16 && dtype != DType.F32) {
            throw new dev.aqlm.runtime.errors.AqlmException("synthetic models are float16, bfloat16 or float32, not " + dtype);
        }
        this.shape = shape;
        this.dtype = dtype;
        this.quantization = quantization;
        this.seed = seed;
    }

    /**
     * A format named on the command line: "none" or "dense" gives {@code null} (a dense model), else {@link #scheme},
     * which must be one the loader accepts (no command writes a checkpoint it cannot read back).
     */
    public static AqlmConfig schemeOrDense(String name) {
        return name.equalsIgnoreCase("none") || name.equalsIgnoreCase("dense") ? null
                : scheme(name).requireSupported("AQLM scheme '" + name + "'");
    }

    /** An AQLM scheme from its short name: "2x8", "1x16", "1x16g16", "8x8g32"... */
    public static AqlmConfig scheme(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})x(\\d{1,6})(?:g(\\d{1,6}))?").matcher(name);
        if (!m.matches()) {
            throw new dev.aqlm.runtime.errors.AqlmException("AQLM scheme '" + name + "' is not of the form CxB or CxBgG, e.g. 2x8, 1x16g16");
        }
        int group = m.group(3) == null ? 8 : Integer.parseInt(m.group(3));
        return new AqlmConfig(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), group, 1, List.of());
    }

    /**
     * Writes no tokenizer files: for token-level tests on vocabularies too small for the byte-level tokenizer (e.g. 8
     * tokens, where every probability can be checked by counting).
     */
    public SyntheticModelWriter withoutTokenizer() {
        withTokenizer = false;
        return this;
    }

    public void write(Path directory) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("config.json"), configJson());
            if (withTokenizer) {
                ByteLevelTokenizerFiles.write(directory, shape.vocab(), shape.maxPositions());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic model to " + directory, e);
        }
        SafetensorsWriter tensors = new SafetensorsWriter();
        int hidden = shape.hidden();
        int kvDim = shape.kvHeads() * shape.headDim();
        tensors.add("model.embed_tokens.weight", dtype, new long[] {shape.vocab(), hidden}, gaussian(seed, "embed", dtype, 1.0f));
        for (int layer = 0; layer < shape.layers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            tensors.add(prefix + "input_layernorm.weight", dtype, new long[] {hidden}, constant(dtype, 1.0f));
            linear(tensors, prefix + "self_attn.q_proj", hidden, hidden);
            linear(tensors, prefix + "self_attn.k_proj", kvDim, hidden);
            linear(tensors, prefix + "self_attn.v_proj", kvDim, hidden);
            linear(tensors, prefix + "self_attn.o_proj", hidden, hidden);
            tensors.add(prefix + "post_attention_layernorm.weight", dtype, new long[] {hidden}, constant(dtype, 1.0f));
            linear(tensors, prefix + "mlp.gate_proj", shape.intermediate(), hidden);
            linear(tensors, prefix + "mlp.up_proj", shape.intermediate(), hidden);
            linear(tensors, prefix + "mlp.down_proj", hidden, shape.intermediate());
        }
        tensors.add("model.norm.weight", dtype, new long[] {hidden}, constant(dtype, 1.0f));
        tensors.add("lm_head.weight", dtype, new long[] {shape.vocab(), hidden}, gaussian(seed, "lm_head", dtype, WEIGHT_SCALE));
        tensors.write(directory.resolve("model.safetensors"));
    }

    private void linear(SafetensorsWriter tensors, String name, int out, int in) {
        if (quantization == null) {
            tensors.add(name + ".weight", dtype, new long[] {out, in}, gaussian(seed, name, dtype, WEIGHT_SCALE));
            return;
        }
        int books = quantization.codebookCount();
        int group = quantization.inGroupSize();
        int bits = quantization.bitsPerCodebook();
        DType codeType = bits <= 8 ? DType.I8 : bits <= 16 ? DType.I16 : DType.I32;
        tensors.add(name + ".codes", codeType, new long[] {out, in / group, books}, randomCodes(name, codeType, bits));
        // Codebook entries of unit variance summed over C books, scaled per row so weights have WEIGHT_SCALE spread.
        tensors.add(name + ".codebooks", DType.F16, new long[] {books, 1L << bits, 1, group}, gaussian(seed, name + ".codebooks", DType.F16, 1.0f));
        tensors.add(name + ".scales", DType.F16, new long[] {out, 1, 1, 1},
                constant(DType.F16, (float) (WEIGHT_SCALE / Math.sqrt(books))));
    }

    private static SafetensorsWriter.Contents gaussian(long seed, String name, DType type, float scale) {
        return (chunk, first) -> {
            SplittableRandom random = randomFor(seed, name, first);
            while (chunk.remaining() >= type.bytes()) {
                SafetensorsWriter.putFloat(chunk, type, (float) (approximateGaussian(random) * scale));
            }
        };
    }

    private static SafetensorsWriter.Contents constant(DType type, float value) {
        return (chunk, first) -> {
            while (chunk.remaining() >= type.bytes()) {
                SafetensorsWriter.putFloat(chunk, type, value);
            }
        };
    }

    private SafetensorsWriter.Contents randomCodes(String name, DType codeType, int bits) {
        return (chunk, first) -> {
            SplittableRandom random = randomFor(seed, name + ".codes", first);
            int mask = (1 << bits) - 1;
            while (chunk.hasRemaining()) {
                int code = random.nextInt() & mask; // stored as two's complement, as AQLM's packer does
                switch (codeType) {
                    case I8 -> chunk.put((byte) code);
                    case I16 -> chunk.putShort((short) code);
                    default -> chunk.putInt(code);
                }
            }
        };
    }

    /** A generator for the chunk of tensor {@code name} that starts at element {@code first}. */
    private static SplittableRandom randomFor(long seed, String name, long first) {
        return new SplittableRandom(seed ^ ((long) name.hashCode() << 32) ^ (first * 0x9E3779B97F4A7C15L));
    }

    /** Sum of four uniforms, rescaled: close enough to normal for weights, and several times faster to draw. */
    private static double approximateGaussian(SplittableRandom random) {
        double sum = random.nextDouble() + random.nextDouble() + random.nextDouble() + random.nextDouble();
        return (sum - 2.0) * Math.sqrt(3.0);
    }

    private String configJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama");
        config.put("hidden_act", "silu");
        config.put("hidden_size", shape.hidden());
        config.put("intermediate_size", shape.intermediate());
        config.put("num_hidden_layers", shape.layers());
        config.put("num_attention_heads", shape.heads());
        config.put("num_key_value_heads", shape.kvHeads());
        config.put("head_dim", shape.headDim());
        config.put("vocab_size", shape.vocab());
        config.put("max_position_embeddings", shape.maxPositions());
        config.put("rms_norm_eps", 1e-5);
        config.put("rope_theta", 10000.0);
        config.put("tie_word_embeddings", false);
        config.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        config.put("bos_token_id", ByteLevelTokenizerFiles.BOS_ID);
        config.put("eos_token_id", ByteLevelTokenizerFiles.EOS_ID);
        config.put("_comment", "synthetic model with random weights written by aqlm-spark: its text is meaningless");
        if (quantization != null) {
            ObjectNode q = config.putObject("quantization_config");
            q.put("quant_method", "aqlm");
            q.put("num_codebooks", quantization.codebookCount());
            q.put("nbits_per_codebook", quantization.bitsPerCodebook());
            q.put("in_group_size", quantization.inGroupSize());
            q.put("out_group_size", 1);
            ArrayNode dense = q.putArray("linear_weights_not_to_quantize");
            dense.add("model.embed_tokens.weight").add("lm_head.weight");
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
