package dev.aqlm.runtime.generation;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationValues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output row: one per input row, successes and failures alike (a failure has a non-null {@code error},
 * finish_reason "error" and an empty completion), with the model and the settings the row ran with (the table's
 * {@link GenerationOption.Use#OUTPUT_COLUMN} options, null when the row failed before they were known).
 *
 * @param promptTokens          the prompt's length as the model saw it (after truncation); null if never tokenized
 * @param truncatedPromptTokens tokens cut from the prompt's start to fit the context window; null on error rows
 * @param settings              the row's effective settings, or null
 */
public record GeneratedRow(String id, String prompt, String completion, Integer promptTokens,
                           Integer truncatedPromptTokens, int completionTokens, String finishReason, Double latencyMs,
                           String error, String model, GenerationValues settings) {

    /** An output column: its name, its Java type (String, Integer, Double, Long) and whether it may be null. */
    public record Column(String name, Class<?> type, boolean nullable) {
    }

    public static final String ERROR_FINISH_REASON = "error";

    /** The schema, in order: the row's own columns, then one per output option of {@link GenerationOptions}. */
    public static final List<Column> COLUMNS = columns();

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = List.of("latency_ms");

    private static List<Column> columns() {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("id", String.class, false),
                new Column("prompt", String.class, true),
                new Column("completion", String.class, true),
                new Column("prompt_tokens", Integer.class, true),
                new Column("truncated_prompt_tokens", Integer.class, true),
                new Column("completion_tokens", Integer.class, false),
                new Column("finish_reason", String.class, false),
                new Column("latency_ms", Double.class, true),
                new Column("error", String.class, true),
                new Column("model", String.class, false)));
        for (GenerationOption<?> option : GenerationOptions.with(GenerationOption.Use.OUTPUT_COLUMN)) {
            columns.add(new Column(option.name(), option.type(), true));
        }
        return Collections.unmodifiableList(columns);
    }

    public static GeneratedRow failure(String id, String prompt, Integer promptTokens, String error, String model,
                                       GenerationValues settings) {
        return new GeneratedRow(id, prompt, "", promptTokens, null, 0, ERROR_FINISH_REASON, null, error, model,
                settings);
    }

    public boolean failed() {
        return error != null;
    }

    /** The values in {@link #COLUMNS}' order. */
    public Object[] values() {
        Map<String, Object> byName = new LinkedHashMap<>();
        byName.put("id", id);
        byName.put("prompt", prompt);
        byName.put("completion", completion);
        byName.put("prompt_tokens", promptTokens);
        byName.put("truncated_prompt_tokens", truncatedPromptTokens);
        byName.put("completion_tokens", completionTokens);
        byName.put("finish_reason", finishReason);
        byName.put("latency_ms", latencyMs);
        byName.put("error", error);
        byName.put("model", model);
        if (settings != null) {
            byName.putAll(settings.outputColumns());
        }
        return COLUMNS.stream().map(column -> byName.get(column.name())).toArray();
    }
}
