package dev.aqlm.runtime.generation;

import java.util.Map;

/**
 * One input row, whatever it came from (a JSONL line, a Spark row): its id, its prompt, the text of its override
 * columns (by option name; parsed when the row is prepared, so a bad value is that row's error), or the reason the
 * row cannot be used at all.
 *
 * @param overrides option name to the row's text for it; absent or blank when the row has none
 * @param error     why the record could not be read (then the row is an error row), else null
 */
public record PromptRow(String id, String prompt, Map<String, String> overrides, String error) {
    public PromptRow {
        overrides = Map.copyOf(overrides);
    }

    public static PromptRow of(String id, String prompt) {
        return new PromptRow(id, prompt, Map.of(), null);
    }

    public static PromptRow unreadable(String id, String prompt, String error) {
        return new PromptRow(id, prompt, Map.of(), error);
    }
}
