package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.bench.BenchReport;
import dev.aqlm.runtime.bench.BenchResult;
import dev.aqlm.runtime.bench.Benchmark;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.cuda.CudaEmulator;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.io.OutputFile;
import dev.aqlm.runtime.model.AqlmConfig;
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
        Map<String, Path> models = checkpoints.isEmpty() ? syntheticModels() : named(checkpoints);
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (speculationTokens != null) {
            OptionChecks.requireAtLeast("--speculation-tokens", speculationTokens, 1);
            return new SpeculationBenchRun(engine.toEngineOptions(), batches, promptLength, decodeSteps,
                    speculationTokens).run(models, command, file);
        }
        int context = Math.max(promptLength, 16 + warmupSteps + decodeSteps) + 1;
        BenchReport report = new BenchReport(command);
        for (Map.Entry<String, Path> entry : models.entrySet()) {
            for (int shards : shardCounts) {
                EngineOptions options = engine.toEngineOptions(shards).withSlots(maxBatch).withContextLength(context)
                        .withMaxPrefillTokens(Math.max(promptLength, 16));
                try (LanguageModel languageModel = ModelLoading.load(entry.getValue(), options)) {
                    Benchmark benchmark = new Benchmark(languageModel, entry.getKey());
                    report.add(benchmark.prefill(promptLength, prefillRepeats));
                    for (int batch : batches) {
                        report.add(benchmark.decode(batch, 16, warmupSteps, decodeSteps));
                    }
                }
            }
        }
        List<BenchResult> rows = report.comparedWithFirst();
        BenchReport.printTable(rows, System.out);
        BenchReport.writeJson(rows, report.command(), file);
        System.err.println("wrote " + file.path());
        return 0;
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
