package dev.aqlm.runtime.generation;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationValues;
import dev.aqlm.runtime.engine.SpeculationCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The output row: one per input row, successes and failures alike (a failure has a non-null {@code error},
 * finish_reason "error" and an empty completion), with the model and the settings the row ran with (the table's
 * {@link GenerationOption.Use#OUTPUT_COLUMN} options, null when the row failed before they were known).
 *
 * @param promptTokens          the prompt's length as the model saw it (after truncation); null if never tokenized
 * @param truncatedPromptTokens tokens cut from the prompt's start to fit the context window; null on error rows
 * @param settings              the row's effective settings, or null
 * @param speculation           tokens drafted and accepted and the model's forward passes; null on error rows
 */
public record GeneratedRow(String id, String prompt, String completion, Integer promptTokens,
                           Integer truncatedPromptTokens, int completionTokens, String finishReason, Double latencyMs,
                           String error, String model, GenerationValues settings, SpeculationCounts speculation) {

    /** An output column: its name, its Java type (String, Integer, Double, Long), whether it may be null, its value. */
    public record Column(String name, Class<?> type, boolean nullable, Function<GeneratedRow, Object> value) {
    }

    public static final String ERROR_FINISH_REASON = "error";

    /**
     * The schema, in order: the row's own columns, one per output option of {@link GenerationOptions}, then what
     * speculation did (null on error rows).
     */
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

    public static final List<Column> COLUMNS = columns();

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = List.of(LATENCY_MS);

    private static List<Column> columns() {
        List<Column> columns = new ArrayList<>(List.of(
                new Column(ID, String.class, false, GeneratedRow::id),
                new Column(PROMPT, String.class, true, GeneratedRow::prompt),
                new Column(COMPLETION, String.class, true, GeneratedRow::completion),
                new Column(PROMPT_TOKENS, Integer.class, true, GeneratedRow::promptTokens),
                new Column(TRUNCATED_PROMPT_TOKENS, Integer.class, true, GeneratedRow::truncatedPromptTokens),
                new Column(COMPLETION_TOKENS, Integer.class, false, GeneratedRow::completionTokens),
                new Column(FINISH_REASON, String.class, false, GeneratedRow::finishReason),
                new Column(LATENCY_MS, Double.class, true, GeneratedRow::latencyMs),
                new Column(ERROR, String.class, true, GeneratedRow::error),
                new Column(MODEL, String.class, false, GeneratedRow::model)));
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.OUTPUT_COLUMN)) {
            columns.add(new Column(option.name(), option.type(), true,
                    row -> row.settings() == null ? null : row.settings().effective(option)));
        }
        columns.add(new Column(DRAFTED_TOKENS, Integer.class, true, row -> speculation(row, SpeculationCounts::drafted)));
        columns.add(new Column(ACCEPTED_TOKENS, Integer.class, true,
                row -> speculation(row, SpeculationCounts::accepted)));
        columns.add(new Column(FORWARD_PASSES, Integer.class, true,
                row -> speculation(row, SpeculationCounts::forwardPasses)));
        return Collections.unmodifiableList(columns);
    }

    private static Integer speculation(GeneratedRow row, java.util.function.ToIntFunction<SpeculationCounts> count) {
        return row.speculation() == null ? null : count.applyAsInt(row.speculation());
    }

    public static GeneratedRow failure(String id, String prompt, Integer promptTokens, String error, String model,
                                       GenerationValues settings) {
        return new GeneratedRow(id, prompt, "", promptTokens, null, 0, ERROR_FINISH_REASON, null, error, model,
                settings, null);
    }

    public boolean failed() {
        return error != null;
    }

    /** The values in {@link #COLUMNS}' order. */
    public Object[] values() {
        return COLUMNS.stream().map(column -> column.value().apply(this)).toArray();
    }
}
