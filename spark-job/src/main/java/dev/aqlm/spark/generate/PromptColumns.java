package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The canonical input row the executors see, whatever the input format: every column a string (overrides are parsed
 * on the executor, so a bad value becomes that row's error instead of a silent null from a cast). The override
 * columns are the {@link GenerationOptions} with {@link GenerationOption.Use#ROW_OVERRIDE}, by their names.
 */
public final class PromptColumns {
    public static final String ID = "id";
    public static final String PROMPT = "prompt";
    /** The raw text of a line the JSON or CSV reader could not parse (null for good rows). */
    public static final String MALFORMED = "malformed_record";

    /** Per-row override columns, used when the input has a column of this name. */
    public static final List<String> OVERRIDES = GenerationOptions.with(GenerationOption.Use.ROW_OVERRIDE).stream()
            .map(GenerationOption::name).toList();

    /** The order of the canonical row's fields: id, prompt, the overrides, malformed_record. */
    public static final List<String> ALL = all();

    public static final int ID_INDEX = 0;
    public static final int PROMPT_INDEX = 1;
    public static final int MALFORMED_INDEX = ALL.size() - 1;

    private PromptColumns() {
    }

    private static List<String> all() {
        List<String> all = new ArrayList<>(List.of(ID, PROMPT));
        all.addAll(OVERRIDES);
        all.add(MALFORMED);
        return List.copyOf(all);
    }

    /** The index of an override column in the canonical row. */
    static int overrideIndex(String name) {
        return 2 + OVERRIDES.indexOf(name);
    }
}
