package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.Architecture;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.RopeConfig;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.util.ArrayList;
import java.util.List;

/**
 * A model of real shape with random weights filled in on the device (no checkpoint, no host copies): what the GPU
 * benchmark measures. Speed does not depend on the values, only on the shapes and formats; the values are random (not
 * zero) so that no path is faster than it would be on real weights.
 */
public final class SyntheticDeviceModel {
    private final Kernels kernels;
    private final DeviceMemoryPool pool;
    private final ActivationType type;
    private long seed;

    private SyntheticDeviceModel(CudaContext context, DeviceMemoryPool pool, ActivationType type, long seed) {
        this.kernels = new Kernels(context);
        this.pool = pool;
        this.type = type;
        this.seed = seed;
    }

    /** A backend on device {@code options.deviceOrdinal()} over a synthetic Llama of {@code shape}; null scheme = dense. */
    public static CudaBackend open(SyntheticShape shape, AqlmConfig scheme, DType dtype, EngineOptions options,
                                   long seed) {
        ModelConfig config = new ModelConfig(Architecture.LLAMA, shape.vocab(), shape.hidden(), shape.intermediate(),
                shape.layers(), shape.heads(), shape.kvHeads(), shape.headDim(), 1e-5, RopeConfig.unscaled(10000),
                shape.maxPositions(), 0, false, dtype, 1, List.of(2), 0, 0, scheme);
        if (options.tensorParallel() > 1) {
            throw new CudaUnavailableException("synthetic GPU models run on one device; measure tensor parallelism"
                    + " with a checkpoint (--model) instead of --shape");
        }
        int positions = options.effectiveContextLength(shape.maxPositions());
        return CudaBackend.open(options, config, List.of((context, pool) -> {
            DeviceModel model = new SyntheticDeviceModel(context, pool, ActivationType.forCheckpoint(dtype), seed)
                    .build(config, positions);
            context.synchronize("filling synthetic weights");
            return model;
        }));
    }

    private DeviceModel build(ModelConfig config, int positions) {
        int hidden = config.hiddenSize();
        DeviceAddress embedding = randomValues((long) config.vocabSize() * hidden, 1f, "embed_tokens");
        List<DeviceModel.Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layerCount(); l++) {
            String label = "layer " + l;
            int q = config.queryDim();
            int kv = config.kvDim();
            DeviceLinear qkv = linear(config, label + " q/k/v", q + 2 * kv, hidden, 3, LinearShape.SetMode.RANGES,
                    new int[] {q, q + kv});
            DeviceLinear output = linear(config, label + " o_proj", hidden, q, 1, LinearShape.SetMode.SINGLE, null);
            DeviceLinear gateUp = linear(config, label + " gate/up", 2 * config.intermediateSize(), hidden, 2,
                    LinearShape.SetMode.INTERLEAVED, null);
            DeviceLinear down = linear(config, label + " down_proj", hidden, config.intermediateSize(), 1,
                    LinearShape.SetMode.SINGLE, null);
            layers.add(new DeviceModel.Layer(ones(hidden, label + " input_layernorm"), qkv, output,
                    ones(hidden, label + " post_attention_layernorm"), new DeviceModel.Mlp(gateUp, down)));
        }
        DeviceLinear lmHead = linear(config, "lm_head", config.vocabSize(), hidden, 1, LinearShape.SetMode.SINGLE, null);
        DeviceAddress[] rope = DeviceModel.ropeTable(pool, config.rope(), config.headDim(), positions);
        return new DeviceModel(config, type, embedding, List.copyOf(layers), ones(hidden, "model.norm"), lmHead,
                rope[0], rope[1], positions);
    }

    /** Dense rows scaled 1/sqrt(in); AQLM: random code words, codebooks of that scale, unit scales. */
    private DeviceLinear linear(ModelConfig config, String label, int out, int in, int sets, LinearShape.SetMode mode,
                                int[] bounds) {
        float scale = (float) (1 / Math.sqrt(in));
        AqlmConfig scheme = config.quantization();
        if (scheme == null || label.equals("lm_head")) {
            DeviceAddress weights = randomValues((long) out * in, scale, label);
            return DeviceLinear.of(label, LinearShape.dense(out, in), weights, DeviceAddress.NULL, DeviceAddress.NULL,
                    2L * out * in);
        }
        CodeWordFormat format = CodeWordFormat.of(scheme);
        LinearShape shape = new LinearShape(out, in, format, sets, mode, bounds == null ? new int[] {0, 0} : bounds);
        long codeBytes = (long) CodeWordFormat.paddedRows(out) * format.wordsPerRow(in) * format.wordBytes();
        DeviceBuffer codes = pool.allocate(codeBytes, label + " codes");
        kernels.fillRandomBytes(codes.address(), codeBytes, nextSeed(), "filling " + label + " codes");
        DeviceAddress codebooks = randomValues(shape.codebookBytes() / 2, scale / scheme.codebookCount(), label + " codebooks");
        DeviceBuffer scales = pool.allocate(4L * out, label + " scales");
        kernels.fillF32(scales.address(), out, 1f, "filling " + label + " scales");
        long bytesRead = (long) out * (in / format.groupSize()) * format.wordBytes() + shape.codebookBytes() + 4L * out;
        return DeviceLinear.of(label, shape, codes.address(), codebooks, scales.address(), bytesRead);
    }

    private DeviceAddress randomValues(long count, float scale, String label) {
        DeviceBuffer buffer = pool.allocate(2 * count, label);
        kernels.fillRandom(type, buffer.address(), count, nextSeed(), scale, "filling " + label);
        return buffer.address();
    }

    private DeviceAddress ones(int count, String label) {
        DeviceBuffer buffer = pool.allocate(4L * count, label);
        kernels.fillF32(buffer.address(), count, 1f, "filling " + label);
        return buffer.address();
    }

    private long nextSeed() {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        return seed;
    }
}
