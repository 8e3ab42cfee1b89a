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
    public static final List<Column> COLUMNS = columns();

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = List.of("latency_ms");

    private static List<Column> columns() {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("id", String.class, false, GeneratedRow::id),
                new Column("prompt", String.class, true, GeneratedRow::prompt),
                new Column("completion", String.class, true, GeneratedRow::completion),
                new Column("prompt_tokens", Integer.class, true, GeneratedRow::promptTokens),
                new Column("truncated_prompt_tokens", Integer.class, true, GeneratedRow::truncatedPromptTokens),
                new Column("completion_tokens", Integer.class, false, GeneratedRow::completionTokens),
                new Column("finish_reason", String.class, false, GeneratedRow::finishReason),
                new Column("latency_ms", Double.class, true, GeneratedRow::latencyMs),
                new Column("error", String.class, true, GeneratedRow::error),
                new Column("model", String.class, false, GeneratedRow::model)));
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.OUTPUT_COLUMN)) {
            columns.add(new Column(option.name(), option.type(), true,
                    row -> row.settings() == null ? null : row.settings().effective(option)));
        }
        columns.add(new Column("drafted_tokens", Integer.class, true, row -> speculation(row, SpeculationCounts::drafted)));
        columns.add(new Column("accepted_tokens", Integer.class, true,
                row -> speculation(row, SpeculationCounts::accepted)));
        columns.add(new Column("forward_passes", Integer.class, true,
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
