package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.bench.BenchReport;
import dev.aqlm.runtime.bench.BenchResult;
import dev.aqlm.runtime.bench.Benchmark;
import dev.aqlm.runtime.bench.KvCacheCapacity;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.cuda.CudaEmulator;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.io.OutputFile;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.synthetic.SyntheticCheckpointFolder;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: prefill and decode throughput of a model, or of synthetic models of one shape in several formats
 * measured in the same run, so each format is reported as a ratio against the first (by default dense fp16).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s; prints a table and writes JSON.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", description = "checkpoint directories to measure instead of synthetic models"
            + " (repeatable; the first is the baseline)")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--shape", defaultValue = "mid", description = "synthetic shape: llama-2-7b, mid, small, tiny (default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--formats", split = ",", defaultValue = "none,2x8,1x16",
            description = "synthetic formats, the first is the baseline: none (dense) or AQLM schemes (default: ${DEFAULT-VALUE})")
    List<String> formats;

    @Option(names = "--dtype", defaultValue = "float16", description = "synthetic activation/weight dtype (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--batch", split = ",", defaultValue = "1,16", description = "decode batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--prompt-length", defaultValue = "128", description = "prefill prompt length (default: ${DEFAULT-VALUE})")
    int promptLength;

    @Option(names = "--decode-steps", defaultValue = "32", description = "timed decode steps per batch size (default: ${DEFAULT-VALUE})")
    int decodeSteps;

    @Option(names = "--warmup-steps", defaultValue = "4", description = "untimed decode steps first (default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Option(names = "--prefill-repeats", defaultValue = "3", description = "timed prefills, averaged (default: ${DEFAULT-VALUE})")
    int prefillRepeats;

    @Option(names = "--speculation-tokens", description = "instead of prefill/decode rows: generate --decode-steps"
            + " tokens per sequence through the scheduler plainly, with the model drafting K tokens for itself (every"
            + " draft right: the ceiling), and with prompt lookup of K tokens; reports tokens per forward pass")
    Integer speculationTokens;

    @Option(names = "--decode-prompt-length", defaultValue = "16", description = "positions each sequence holds"
            + " before the timed decode steps, which its attention reads every step (default: ${DEFAULT-VALUE})")
    int decodePromptLength;

    @Option(names = "--kv-cache-sweep", split = ",", description = "measure every model once per KV cache bit width"
            + " (e.g. 16,8,4,2; with --kv-group-size and --kv-residual-length), each compared with the first;"
            + " default: --kv-cache-bits alone")
    List<Integer> kvCacheSweep = new ArrayList<>();

    @Option(names = "--memory-budget", description = "device memory for weights and KV cache (e.g. 24g): prints the"
            + " cache bytes per token and the slots that fit for each KV bit width, from the layout")
    String memoryBudget;

    @Option(names = "--capacity-context", defaultValue = "0", description = "positions per slot in the capacity"
            + " table; 0 = the model's max_position_embeddings")
    int capacityContext;

    @Option(names = "--capacity-only", description = "print the capacity table (needs --memory-budget) and measure"
            + " nothing")
    boolean capacityOnly;

    @Option(names = "--work-dir", description = "where synthetic models are written and kept (default: <tmp>/aqlm-spark-bench)")
    Path workDir;

    @Mixin BenchJsonOptions output;

    @Mixin EngineOptionsMixin engine;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String command = "aqlm-spark bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        List<Integer> shardCounts = engine.tensorParallelSizes();
        if (engine.toEngineOptions(shardCounts.get(0)).backend() != EngineOptions.BackendKind.CPU) {
            CudaEmulator.refuseSpeedMeasurement("bench");
        }
        OutputFile file = output.file("bench");
        OptionChecks.requireBenchRun(batches, promptLength, decodeSteps, warmupSteps, prefillRepeats);
        OptionChecks.requireAtLeast("--decode-prompt-length", decodePromptLength, 1);
        OptionChecks.requireAtLeast("--capacity-context", capacityContext, 0);
        EngineOptions base = engine.toEngineOptions(shardCounts.get(0));
        List<KvCacheFormat> kvFormats = kvFormats(base.kvCache());
        Map<String, Path> models = checkpoints.isEmpty() ? syntheticModels() : named(checkpoints);
        if (speculationTokens != null) {
            OptionChecks.requireAtLeast("--speculation-tokens", speculationTokens, 1);
            return new SpeculationBenchRun(engine.toEngineOptions(), batches, promptLength, decodeSteps,
                    speculationTokens).run(models, command, file);
        }
        KvCacheCapacity capacity = capacity(models, kvFormats);
        List<BenchResult> rows = capacityOnly ? List.of() : measure(models, kvFormats, shardCounts, base, command);
        if (capacity != null) {
            capacity.print(System.out);
        }
        if (!rows.isEmpty()) {
            BenchReport.printTable(rows, System.out);
        }
        ObjectNode machine = BenchReport.machine();
        if (capacity != null) {
            machine.set("kvCacheCapacity", capacity.json());
        }
        BenchReport.write(BenchReport.document(command, machine, rows), file);
        System.err.println("wrote " + file.path());
        return 0;
    }

    private List<BenchResult> measure(Map<String, Path> models, List<KvCacheFormat> kvFormats,
                                      List<Integer> shardCounts, EngineOptions base, String command) {
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        int context = Math.max(promptLength, decodePromptLength + warmupSteps + decodeSteps) + 1;
        EngineOptions options = base.withSlots(maxBatch).withContextLength(context)
                .withMaxPrefillTokens(Math.max(promptLength, decodePromptLength));
        BenchReport report = new BenchReport(command);
        for (Map.Entry<String, Path> entry : models.entrySet()) {
            for (int shards : shardCounts) {
                for (KvCacheFormat kvCache : kvFormats) {
                    String name = entry.getKey() + (kvCacheSweep.isEmpty() ? "" : " kv" + kvCache.bits());
                    measureOne(entry.getValue(), name, options.withTensorParallel(shards).withKvCache(kvCache), report);
                }
            }
        }
        return report.comparedWithFirst();
    }

    /**
     * One model in its own frame: a loop body's locals can keep the previous model reachable while the next one
     * loads (interpreted frames do not clear dead slots), and two Llama-2-7B CPU models do not fit one heap.
     */
    private void measureOne(Path directory, String name, EngineOptions options, BenchReport report) {
        try (LanguageModel languageModel = ModelLoading.load(directory, options)) {
            Benchmark benchmark = new Benchmark(languageModel, name);
            report.add(benchmark.prefill(promptLength, prefillRepeats));
            for (int batch : batches) {
                report.add(benchmark.decode(batch, decodePromptLength, warmupSteps, decodeSteps));
            }
        }
    }

    private List<KvCacheFormat> kvFormats(KvCacheFormat chosen) {
        if (kvCacheSweep.isEmpty()) {
            return List.of(chosen);
        }
        List<KvCacheFormat> formats = new ArrayList<>();
        for (int bits : kvCacheSweep) {
            formats.add(new KvCacheFormat(bits, chosen.groupSize(), chosen.residualLength()));
        }
        return formats;
    }

    /** The capacity table of every model and KV format, or null without --memory-budget. */
    private KvCacheCapacity capacity(Map<String, Path> models, List<KvCacheFormat> kvFormats) throws IOException {
        if (memoryBudget == null) {
            if (capacityOnly) {
                throw new AqlmException("--capacity-only needs --memory-budget (e.g. --memory-budget 24g)");
            }
            return null;
        }
        long budget = MemorySize.parse("--memory-budget", memoryBudget);
        KvCacheCapacity capacity = new KvCacheCapacity();
        for (Map.Entry<String, Path> entry : models.entrySet()) {
            ModelConfig config = ModelConfigReader.read(entry.getValue());
            int context = capacityContext > 0 ? capacityContext : config.maxPositionEmbeddings();
            long weights = KvCacheCapacity.checkpointBytes(entry.getValue());
            for (KvCacheFormat format : kvFormats) {
                capacity.add(entry.getKey(), config, weights, format, context, budget);
            }
        }
        return capacity;
    }

    private static Map<String, Path> named(List<Path> directories) {
        Map<String, Path> models = new LinkedHashMap<>();
        for (Path directory : directories) {
            models.put(directory.toAbsolutePath().normalize().getFileName().toString(), directory);
        }
        return models;
    }

    /** Writes (once) a synthetic model per format, keyed by model name in the order given. */
    private Map<String, Path> syntheticModels() throws IOException {
        SyntheticShape dims = SyntheticShape.preset(shape);
        DType type = DType.fromTorchName(dtype, "--dtype");
        Path root = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "aqlm-spark-bench");
        Map<String, Path> models = new LinkedHashMap<>();
        for (String format : new ArrayList<>(formats)) {
            AqlmConfig scheme = SyntheticModelWriter.schemeOrDense(format);
            String name = shape + "-" + (scheme == null ? "dense-" + dtype : "aqlm-" + scheme.shortName());
            Path directory = root.resolve(name);
            if (!SyntheticCheckpointFolder.isComplete(directory)) {
                System.err.println("writing synthetic " + name + " to " + directory + " ...");
                SyntheticCheckpointFolder.write(new SyntheticModelWriter(dims, type, scheme, 1234), directory, true,
                        "--work-dir", "--work-dir");
            }
            models.put(name, directory);
        }
        return models;
    }
}
