package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.errors.AqlmException;
import java.util.List;
import picocli.CommandLine.Option;

/** The engine options every command that loads a model shares. */
public class EngineOptionsMixin {
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--device", defaultValue = "0", description = "CUDA device ordinal, PCI bus order (default: ${DEFAULT-VALUE})")
    int device;

    @Option(names = "--slots", defaultValue = "" + EngineOptions.DEFAULT_SLOTS, description = "sequences decoded together, or auto: as many as"
            + " fit in the memory left after loading, at the KV-cache format chosen (default: ${DEFAULT-VALUE})")
    String slots;

    @Option(names = "--context-length", defaultValue = "0",
            description = "positions per sequence, prompt + completion, at most the model's max_position_embeddings;"
                    + " 0 = that maximum (on the CPU backend at most 2048 unless given)")
    int contextLength;

    @Option(names = "--threads", defaultValue = "0", description = "CPU backend threads; 0 = all cores")
    int threads;

    @Option(names = "--no-graphs", description = "run CUDA decode and verification steps eagerly instead of replaying CUDA graphs")
    boolean noGraphs;

    @Option(names = "--max-prefill-tokens", defaultValue = "" + EngineOptions.DEFAULT_MAX_PREFILL_TOKENS,
            description = "prompt tokens processed per step beside decoding (default: ${DEFAULT-VALUE})")
    int maxPrefillTokens;

    @Option(names = "--tensor-parallel", split = ",", paramLabel = "N",
            description = "shards the model is split over, Megatron style (vLLM's tensor_parallel_size; default: 1);"
                    + " bench takes a list, e.g. 1,2,4")
    List<Integer> tensorParallel = List.of(1);

    @Option(names = "--devices", split = ",", paramLabel = "ORDINAL",
            description = "CUDA ordinal of each tensor-parallel shard, e.g. 0,1 (0,0 puts two shards on one GPU);"
                    + " default: --tensor-parallel consecutive ordinals from --device; given, it replaces --device")
    List<Integer> devices = List.of();

    @Option(names = "--kv-cache-bits", defaultValue = "16", description = "KV cache storage: 16 (the activation"
            + " type), or 8, 4, 2-bit groups with a scale and zero point each (default: ${DEFAULT-VALUE})")
    int kvCacheBits;

    @Option(names = "--kv-group-size", defaultValue = "" + KvCacheFormat.DEFAULT_GROUP_SIZE, description = "tokens"
            + " per key group (keys are grouped per channel) and channels per value group (values per token)"
            + " (default: ${DEFAULT-VALUE})")
    int kvGroupSize;

    @Option(names = "--kv-residual-length", defaultValue = "" + KvCacheFormat.DEFAULT_RESIDUAL_LENGTH,
            description = "most recent tokens kept unquantized (default: ${DEFAULT-VALUE}, as Hugging Face's)")
    int kvResidualLength;

    public EngineOptions toEngineOptions() {
        if (tensorParallel.size() != 1) {
            throw new AqlmException("--tensor-parallel takes one value here, got " + tensorParallel
                    + " (only bench measures a list of sizes)");
        }
        return toEngineOptions(tensorParallel.get(0));
    }

    /** The sizes {@code --tensor-parallel} lists (bench runs each in turn). */
    public List<Integer> tensorParallelSizes() {
        tensorParallel.forEach(n -> OptionChecks.requireAtLeast("--tensor-parallel", n, 1));
        return List.copyOf(tensorParallel);
    }

    /** The options with {@code shards} tensor-parallel shards. */
    public EngineOptions toEngineOptions(int shards) {
        EngineOptions.BackendKind kind = backendKind(backend);
        OptionChecks.requireAtLeast("--device", device, 0);
        OptionChecks.requireAtLeast("--threads", threads, 0);
        int slotCount = slotCount(slots);
        OptionChecks.requireAtLeast("--context-length", contextLength, 0);
        OptionChecks.requireAtLeast("--max-prefill-tokens", maxPrefillTokens, 1);
        OptionChecks.requireAtLeast("--tensor-parallel", shards, 1);
        devices.forEach(d -> OptionChecks.requireAtLeast("--devices", d, 0));
        return new EngineOptions(kind, devices.isEmpty() ? device : devices.get(0), slotCount, contextLength, threads,
                !noGraphs, maxPrefillTokens, shards, devices,
                new KvCacheFormat(kvCacheBits, kvGroupSize, kvResidualLength));
    }

    /** {@code --slots}' value: a count of 1 or more, or auto ({@link EngineOptions#AUTO_SLOTS}). */
    public static int slotCount(String value) {
        if (value.equalsIgnoreCase("auto")) {
            return EngineOptions.AUTO_SLOTS;
        }
        try {
            int count = Integer.parseInt(value.trim());
            OptionChecks.requireAtLeast("--slots", count, 1);
            return count;
        } catch (NumberFormatException e) {
            throw new AqlmException("--slots must be a count of 1 or more, or auto, got '" + value + "'");
        }
    }

    /** {@code --backend}'s value, for every command that has one. */
    public static EngineOptions.BackendKind backendKind(String value) {
        try {
            return EngineOptions.BackendKind.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AqlmException("--backend must be auto, cpu or cuda, got '" + value + "'");
        }
    }
}
