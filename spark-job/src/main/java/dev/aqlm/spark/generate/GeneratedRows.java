package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output schema as Spark sees it: {@link GeneratedRow#COLUMNS} (the one row schema of every generation path),
 * typed for Spark.
 */
public final class GeneratedRows {
    public static final String ID = "id";
    public static final String PROMPT = "prompt";
    public static final String COMPLETION = "completion";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    /** Tokens cut from the prompt's start to fit the context window (--truncate-prompts); 0 if none, null on error. */
    public static final String TRUNCATED_PROMPT_TOKENS = "truncated_prompt_tokens";
    public static final String COMPLETION_TOKENS = "completion_tokens";
    public static final String FINISH_REASON = "finish_reason";
    public static final String LATENCY_MS = "latency_ms";
    public static final String ERROR = "error";
    public static final String MODEL = "model";
    /** Speculation, measured per row: draft tokens verified, of which accepted, and the model's passes; null on error. */
    public static final String DRAFTED_TOKENS = "drafted_tokens";
    public static final String ACCEPTED_TOKENS = "accepted_tokens";
    public static final String FORWARD_PASSES = "forward_passes";

    private static final Map<Class<?>, DataType> SPARK_TYPES = Map.of(String.class, DataTypes.StringType,
            Integer.class, DataTypes.IntegerType, Long.class, DataTypes.LongType, Double.class, DataTypes.DoubleType);

    public static final StructType SCHEMA = new StructType(GeneratedRow.COLUMNS.stream()
            .map(column -> DataTypes.createStructField(column.name(), SPARK_TYPES.get(column.type()), column.nullable()))
            .toArray(StructField[]::new));

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = GeneratedRow.TIMING_COLUMNS;

    private GeneratedRows() {
    }

    public static Row toSpark(GeneratedRow row) {
        return RowFactory.create(row.values());
    }
}
