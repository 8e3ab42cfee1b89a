package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.SpeculationCounts;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output schema: one row per input row, successes and failures alike (a failure has a non-null {@code error},
 * finish_reason "error" and an empty completion), with the model and the sampling settings the row ran with.
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

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(ID, DataTypes.StringType, false),
            DataTypes.createStructField(PROMPT, DataTypes.StringType, true),
            DataTypes.createStructField(COMPLETION, DataTypes.StringType, true),
            DataTypes.createStructField(PROMPT_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(TRUNCATED_PROMPT_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(COMPLETION_TOKENS, DataTypes.IntegerType, false),
            DataTypes.createStructField(FINISH_REASON, DataTypes.StringType, false),
            DataTypes.createStructField(LATENCY_MS, DataTypes.DoubleType, true),
            DataTypes.createStructField(ERROR, DataTypes.StringType, true),
            DataTypes.createStructField(MODEL, DataTypes.StringType, false),
            DataTypes.createStructField(PromptColumns.TEMPERATURE, DataTypes.DoubleType, true),
            DataTypes.createStructField(PromptColumns.TOP_P, DataTypes.DoubleType, true),
            DataTypes.createStructField(PromptColumns.TOP_K, DataTypes.IntegerType, true),
            DataTypes.createStructField(PromptColumns.MAX_NEW_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(PromptColumns.SEED, DataTypes.LongType, true),
            DataTypes.createStructField(DRAFTED_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(ACCEPTED_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(FORWARD_PASSES, DataTypes.IntegerType, true),
    });

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = List.of(LATENCY_MS);

    private GeneratedRows() {
    }

    /** The sampling settings a row ran with; any may be null when the row failed before they were known. */
    public record RowSettings(Double temperature, Double topP, Integer topK, Integer maxNewTokens, Long seed) {
        static final RowSettings UNKNOWN = new RowSettings(null, null, null, null, null);
    }

    /**
     * @param promptTokens          the prompt's length as the model saw it (after truncation)
     * @param truncatedPromptTokens tokens cut from the prompt to fit the context window
     */
    public static Row success(String id, String prompt, String completion, int promptTokens,
                              int truncatedPromptTokens, int completionTokens, String finishReason, double latencyMs,
                              String model, RowSettings settings, SpeculationCounts speculation) {
        return row(id, prompt, completion, promptTokens, truncatedPromptTokens, completionTokens, finishReason,
                latencyMs, null, model, settings, speculation);
    }

    /** @param promptTokens the prompt's length when it was tokenized, else null */
    public static Row failure(String id, String prompt, Integer promptTokens, String error, String model,
                              RowSettings settings) {
        return row(id, prompt, "", promptTokens, null, 0, "error", null, error, model, settings, null);
    }

    private static Row row(String id, String prompt, String completion, Integer promptTokens,
                           Integer truncatedPromptTokens, int completionTokens, String finishReason, Double latencyMs,
                           String error, String model, RowSettings s, SpeculationCounts c) {
        return RowFactory.create(id, prompt, completion, promptTokens, truncatedPromptTokens, completionTokens,
                finishReason, latencyMs, error, model, s.temperature(), s.topP(), s.topK(), s.maxNewTokens(), s.seed(),
                c == null ? null : c.drafted(), c == null ? null : c.accepted(), c == null ? null : c.forwardPasses());
    }
}
