package dev.aqlm.spark.generate;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.engine.EngineOptions;
import java.nio.file.Path;
import java.util.List;

/** Job specs for tests: the fixture model with a real tokenizer, sampling on, small enough to run in seconds. */
public final class JobSpecs {
    /** A 2-layer AQLM 2x8 Llama with Mistral's real SentencePiece tokenizer. */
    public static final String MODEL = "llama-mistraltok-aqlm-2x8";

    private String input;
    private String idColumn = "id";
    private String output;
    private OutputFormat outputFormat = OutputFormat.PARQUET;
    private GenerateJobSpec.OutputMode mode = GenerateJobSpec.OutputMode.CREATE;
    private double temperature = 0.9;
    private long seed = 7;
    private int maxNewTokens = 10;
    private int partitions;
    private long commitEvery = 20_000;
    private int contextLength = 128;
    private String faultInjection;
    private Path model = modelDirectory();
    private boolean chat;
    private boolean truncatePrompts;
    private int tensorParallel = 1;
    private EngineOptions.BackendKind backend = EngineOptions.BackendKind.CPU;

    public static Path modelDirectory() {
        return Fixtures.model(MODEL);
    }

    /** The engine options the job and the direct comparisons share: CPU (unless asked), 4 slots, a short context. */
    public EngineOptions engine() {
        return EngineOptions.DEFAULTS.withBackend(backend).withSlots(4).withContextLength(contextLength)
                .withCpuThreads(1).withTensorParallel(tensorParallel);
    }

    public JobSpecs backend(EngineOptions.BackendKind value) {
        backend = value;
        return this;
    }

    /** Shards the CPU backend splits the model over (the fixture model allows 1, 2 and 4). */
    public JobSpecs tensorParallel(int value) {
        tensorParallel = value;
        return this;
    }

    public JobSpecs input(Path value) {
        input = value.toString();
        return this;
    }

    public JobSpecs idColumn(String value) {
        idColumn = value;
        return this;
    }

    public JobSpecs output(Path value) {
        output = value.toString();
        return this;
    }

    public JobSpecs outputFormat(OutputFormat value) {
        outputFormat = value;
        return this;
    }

    public JobSpecs mode(GenerateJobSpec.OutputMode value) {
        mode = value;
        return this;
    }

    public JobSpecs temperature(double value) {
        temperature = value;
        return this;
    }

    public JobSpecs seed(long value) {
        seed = value;
        return this;
    }

    public JobSpecs maxNewTokens(int value) {
        maxNewTokens = value;
        return this;
    }

    public JobSpecs partitions(int value) {
        partitions = value;
        return this;
    }

    public JobSpecs commitEvery(long value) {
        commitEvery = value;
        return this;
    }

    public JobSpecs contextLength(int value) {
        contextLength = value;
        return this;
    }

    public JobSpecs model(Path value) {
        model = value;
        return this;
    }

    public Path model() {
        return model;
    }

    public JobSpecs chat(boolean value) {
        chat = value;
        return this;
    }

    public JobSpecs truncatePrompts(boolean value) {
        truncatePrompts = value;
        return this;
    }

    public JobSpecs faultInjection(String value) {
        faultInjection = value;
        return this;
    }

    public GenerationDefaults defaults() {
        return generationSpec().build().defaults();
    }

    /** The same generation settings for the DataFrame API (the prompt and id columns left to the caller). */
    public GenerationSpec.Builder generationSpec() {
        return GenerationSpec.builder(model.toString()).engine(engine()).maxNewTokens(maxNewTokens)
                .temperature(temperature).topP(0.95).seed(seed).chat(chat, null).partitions(partitions)
                .truncatePrompts(truncatePrompts);
    }

    public GenerateJobSpec build() {
        return GenerateJobSpec.builder(model.toString(), input, output).idColumn(idColumn).outputFormat(outputFormat)
                .mode(mode).engine(engine()).maxNewTokens(maxNewTokens).temperature(temperature).topP(0.95).seed(seed)
                .chat(chat, null).truncatePrompts(truncatePrompts).partitions(partitions).commitEveryRows(commitEvery).faultInjection(faultInjection)
                .progressIntervalSeconds(0).build();
    }
}
