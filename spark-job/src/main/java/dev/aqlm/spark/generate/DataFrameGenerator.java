package dev.aqlm.spark.generate;

import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.errors.AqlmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Bulk generation as a Spark ML {@link Transformer} (Zeppelin, Jupyter, spark-shell, or a stage of a {@code Pipeline}):
 * a DataFrame of prompts in, a DataFrame of completions out, with the schema and the rows the file job
 * ({@code bulk-generate}) writes for the same prompts, settings and seed ({@link GeneratedRows}: one row per prompt, an
 * {@code error} column instead of a failed job). It saves and loads as Spark ML stages do ({@code write().save(path)},
 * {@code DataFrameGenerator.load(path)}).
 *
 * <pre>{@code
 * Dataset<Row> completions = new DataFrameGenerator(spark, GenerationSpec.builder(model).maxNewTokens(64).build())
 *         .generate(prompts).cache();
 * new Pipeline().setStages(new PipelineStage[] {new DataFrameGenerator().setSpec(spec)}).fit(prompts).transform(prompts);
 * }</pre>
 *
 * Its params: the model, the prompt and id columns, row overrides, the engine, and one per generation option
 * ({@link GenerationParams}: topP, minP, maxNewTokens, ...). The prompts are read as the file job reads a file's
 * records: the prompt column; ids from the id column ("id" when present), else the row's 1-based position; per-row
 * override columns change the settings unless rowOverrides is false. Columns and ids are checked at once (a missing
 * column or a repeated id fails with what to change); generation runs when the result is used, and again at each use
 * unless it is cached: cache it (or write it) to use it twice.
 */
public final class DataFrameGenerator extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> model;
    private final Param<String> promptColumn;
    private final Param<String> idColumn;
    private final BooleanParam rowOverrides;
    private final Param<String> backend;
    private final IntParam device;
    private final IntParam slots;
    private final IntParam contextLength;
    private final IntParam threads;
    private final BooleanParam cudaGraphs;
    private final IntParam maxPrefillTokens;
    private final BooleanParam chat;
    private final Param<String> chatTemplate;
    private final IntParam partitions;
    private final IntParam queueDepth;
    private final Param<String> faultInjection;
    private final GenerationParams generation;

    public DataFrameGenerator() {
        this(Identifiable.randomUID("aqlmGenerator"));
    }

    /** The constructor Spark ML's readers and {@link #copy} call. */
    public DataFrameGenerator(String uid) {
        this.uid = uid;
        model = new Param<>(this, "model", "checkpoint directory visible to every executor, or Hub id org/name[@revision]");
        promptColumn = new Param<>(this, "promptColumn", "the column holding the prompt text");
        idColumn = new Param<>(this, "idColumn", "the column of unique row ids (unset: 'id' if present, else positions)");
        rowOverrides = new BooleanParam(this, "rowOverrides", "use the rows' per-row setting columns where present");
        backend = new Param<>(this, "backend", "auto, cpu or cuda");
        device = new IntParam(this, "device", "CUDA device ordinal in local mode");
        slots = new IntParam(this, "slots", "sequences decoded together per executor");
        contextLength = new IntParam(this, "contextLength", "positions per sequence; 0 = the model's");
        threads = new IntParam(this, "threads", "CPU backend threads; 0 = all cores");
        cudaGraphs = new BooleanParam(this, "cudaGraphs", "replay the CUDA decode step as a graph");
        maxPrefillTokens = new IntParam(this, "maxPrefillTokens", "prompt tokens processed per step beside decoding");
        chat = new BooleanParam(this, "chat", "format each prompt as a user message with the chat template");
        chatTemplate = new Param<>(this, "chatTemplate", "a Jinja chat template replacing the tokenizer's (implies chat)");
        partitions = new IntParam(this, "partitions", "generation tasks; 0 = the input's partitions");
        queueDepth = new IntParam(this, "queueDepth", "requests queued per task beside the slots; 0 = 2 x slots");
        faultInjection = new Param<>(this, "faultInjection", "a deliberate failure for fault-tolerance tests");
        generation = new GenerationParams(this);
        setDefault(promptColumn, PromptColumns.PROMPT);
        setDefault(rowOverrides, true);
        setDefault(chat, false);
        setDefault(partitions, 0);
        setDefault(queueDepth, 0);
        setEngine(EngineOptions.DEFAULTS, true);
        generation.defaults().forEach((param, value) -> setDefault(untyped(param), value));
    }

    /** The convenience of notebooks: a generator for {@code spec} (the session is the prompts' own). */
    public DataFrameGenerator(SparkSession spark, GenerationSpec spec) {
        this();
        setSpec(spec);
    }

    /** Sets every param from {@code spec}. */
    public DataFrameGenerator setSpec(GenerationSpec spec) {
        set(model, spec.model());
        set(promptColumn, spec.promptColumn());
        if (spec.idColumn() != null) {
            set(idColumn, spec.idColumn());
        }
        set(rowOverrides, spec.rowOverrides());
        setEngine(spec.engine(), false);
        set(chat, spec.defaults().applyChatTemplate());
        if (spec.defaults().chatTemplate() != null) {
            set(chatTemplate, spec.defaults().chatTemplate());
        }
        set(partitions, spec.partitions());
        set(queueDepth, spec.queueDepth());
        if (spec.faultInjection() != null) {
            set(faultInjection, spec.faultInjection());
        }
        generation.of(spec.defaults().values()).forEach((param, value) -> set(untyped(param), value));
        return this;
    }

    /** One generation option, by the table's constant ({@code GenerationOptions.MIN_P}). */
    public <T> DataFrameGenerator setOption(GenerationOption<T> option, T value) {
        generation.of(generation.values(this).with(option, value))
                .forEach((param, v) -> set(untyped(param), v));
        return this;
    }

    /** The spec these params describe; fails naming the param when one is missing or out of range. */
    public GenerationSpec spec() {
        if (!isDefined(model)) {
            throw new AqlmException("DataFrameGenerator has no model: set it with setSpec(GenerationSpec) or the"
                    + " 'model' param");
        }
        EngineOptions engine = new EngineOptions(EngineOptionsMixin.backendKind($(backend)), (int) $(device),
                (int) $(slots), (int) $(contextLength), (int) $(threads), (boolean) $(cudaGraphs),
                (int) $(maxPrefillTokens));
        return GenerationSpec.builder($(model)).promptColumn($(promptColumn))
                .idColumn(isDefined(idColumn) ? $(idColumn) : null).rowOverrides((boolean) $(rowOverrides))
                .engine(engine).values(generation.values(this))
                .chat((boolean) $(chat), isDefined(chatTemplate) ? $(chatTemplate) : null)
                .partitions((int) $(partitions)).queueDepth((int) $(queueDepth))
                .faultInjection(isDefined(faultInjection) ? $(faultInjection) : null).build();
    }

    /** One {@link GeneratedRows#SCHEMA} row per row of {@code prompts}: {@link #transform}. */
    public Dataset<Row> generate(Dataset<Row> prompts) {
        return transform(prompts);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> prompts = dataset.toDF();
        SparkSession spark = prompts.sparkSession();
        GenerationSpec spec = spec();
        CanonicalPrompts columns = new CanonicalPrompts(PromptSource.dataFrame(), spec.promptColumn(),
                spec.idColumn(), spec.rowOverrides());
        columns.validate(prompts.schema());
        String executorModel = GenerationStage.executorModel(spark, spec.model());
        GenerationPreflight.check(spec, executorModel);
        String ids = columns.idColumn(prompts);
        Dataset<Row> records = ids != null ? prompts : PositionIds.add(prompts);
        Dataset<Row> canonical = columns.select(records, ids != null ? ids : PositionIds.COLUMN, null);
        UniqueIds.check(canonical, ids, columns.idColumnRequested(), columns.source());
        return new GenerationStage(spark, spec, executorModel, canonical, new ProgressCounters(spark.sparkContext()))
                .generate(canonical);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        new CanonicalPrompts(PromptSource.dataFrame(), $(promptColumn), isDefined(idColumn) ? $(idColumn) : null,
                (boolean) $(rowOverrides)).validate(schema);
        return GeneratedRows.SCHEMA;
    }

    @Override
    public DataFrameGenerator copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The fixed params, then one per generation option (Spark finds params through this list). */
    @Override
    public Param<?>[] params() {
        List<Param<?>> all = new ArrayList<>(List.of(model, promptColumn, idColumn, rowOverrides, backend, device,
                slots, contextLength, threads, cudaGraphs, maxPrefillTokens, chat, chatTemplate, partitions, queueDepth,
                faultInjection));
        all.addAll(generation.all());
        return all.toArray(new Param<?>[0]);
    }

    /** Spark ML's reader of a saved generator (Pipeline loading finds it by this name). */
    public static MLReader<DataFrameGenerator> read() {
        return new Reading().read();
    }

    public static DataFrameGenerator load(String path) {
        return read().load(path);
    }

    private void setEngine(EngineOptions engine, boolean asDefault) {
        Map<Param<?>, Object> values = new java.util.LinkedHashMap<>();
        values.put(backend, engine.backend().name().toLowerCase(Locale.ROOT));
        values.put(device, engine.deviceOrdinal());
        values.put(slots, engine.slots());
        values.put(contextLength, engine.contextLength());
        values.put(threads, engine.cpuThreads());
        values.put(cudaGraphs, engine.cudaGraphs());
        values.put(maxPrefillTokens, engine.maxPrefillTokens());
        values.forEach((param, value) -> {
            if (asDefault) {
                setDefault(untyped(param), value);
            } else {
                set(untyped(param), value);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Param<Object> untyped(Param<?> param) {
        return (Param<Object>) param;
    }

    /** Spark's default params reader: a JSON of the params beside the stage's class name. */
    private static final class Reading implements DefaultParamsReadable<DataFrameGenerator> {
    }
}
