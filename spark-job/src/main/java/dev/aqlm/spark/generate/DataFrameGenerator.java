package dev.aqlm.spark.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Bulk generation for interactive use (Zeppelin, Jupyter, spark-shell): a DataFrame of prompts in, a DataFrame of
 * completions out, with the schema and the rows the file job ({@code bulk-generate}) writes for the same prompts,
 * settings and seed ({@link GeneratedRows}: one row per prompt, an {@code error} column instead of a failed job).
 *
 * <pre>{@code
 * Dataset<Row> completions = new DataFrameGenerator(spark, GenerationSpec.builder(model).maxNewTokens(64).build())
 *         .generate(prompts).cache();
 * }</pre>
 *
 * The prompts are read as the file job reads a file's records: the prompt column ({@code promptColumn}, default
 * "prompt"); ids from the id column ("id" when present), else the row's 1-based position; per-row
 * temperature/top_p/top_k/max_new_tokens/seed columns override the settings unless {@code rowOverrides(false)}.
 * Columns and ids are checked now (a missing column or a repeated id fails with what to change); generation runs
 * when the result is used, and again at each use unless it is cached: cache it (or write it) to use it twice.
 */
public final class DataFrameGenerator {
    private final SparkSession spark;
    private final GenerationSpec spec;

    public DataFrameGenerator(SparkSession spark, GenerationSpec spec) {
        this.spark = spark;
        this.spec = spec;
    }

    /** One {@link GeneratedRows#SCHEMA} row per row of {@code prompts}. */
    public Dataset<Row> generate(Dataset<Row> prompts) {
        CanonicalPrompts columns = new CanonicalPrompts(PromptSource.dataFrame(), spec.promptColumn(),
                spec.idColumn(), spec.rowOverrides());
        columns.validate(prompts);
        String executorModel = GenerationStage.executorModel(spark, spec.model());
        GenerationPreflight.check(spec, executorModel);
        String idColumn = columns.idColumn(prompts);
        Dataset<Row> records = idColumn != null ? prompts : PositionIds.add(prompts);
        Dataset<Row> canonical = columns.select(records, idColumn != null ? idColumn : PositionIds.COLUMN, null);
        UniqueIds.check(canonical, idColumn, columns.idColumnRequested(), columns.source());
        return new GenerationStage(spark, spec, executorModel, canonical, new ProgressCounters(spark.sparkContext()))
                .generate(canonical);
    }
}
