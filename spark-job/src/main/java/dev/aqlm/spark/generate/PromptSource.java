package dev.aqlm.spark.generate;

import java.util.Locale;

/**
 * Where prompt rows come from, as error messages name it: the source, the settings that choose its prompt and id
 * columns (command-line options for the file job, builder methods for the DataFrame API), and how its rows are
 * numbered when it has no id column.
 */
record PromptSource(String description, String promptColumnSetting, String idColumnSetting, String numbering) {

    static PromptSource file(String input, InputFormat format) {
        return new PromptSource(input + " (" + format.name().toLowerCase(Locale.ROOT) + ")", "--prompt-column",
                "--id-column", "number rows by file and position");
    }

    static PromptSource dataFrame() {
        return new PromptSource("the prompts DataFrame", "GenerationSpec's promptColumn(...)",
                "GenerationSpec's idColumn(...)", "number rows by their position in the DataFrame");
    }
}
