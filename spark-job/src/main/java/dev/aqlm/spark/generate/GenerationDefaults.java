package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.GenerationValues;
import java.io.Serializable;

/**
 * The job-wide generation settings every row starts from (a row's override columns may change some), and how prompts
 * become text for the tokenizer. A plain serializable class: it travels to the executors in the task closure.
 */
public final class GenerationDefaults implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String modelLabel;
    private final GenerationValues values;
    private final boolean applyChatTemplate;
    private final String chatTemplate;

    /**
     * @param modelLabel        what the output's model column says (the --model the user gave)
     * @param values            the generation options (the job seed among them: row seeds derive from it)
     * @param applyChatTemplate render each prompt as one user message through the chat template
     * @param chatTemplate      a template that replaces the tokenizer's own, or null
     */
    public GenerationDefaults(String modelLabel, GenerationValues values, boolean applyChatTemplate,
                              String chatTemplate) {
        this.modelLabel = modelLabel;
        this.values = values;
        this.applyChatTemplate = applyChatTemplate;
        this.chatTemplate = chatTemplate;
    }

    public String modelLabel() {
        return modelLabel;
    }

    public GenerationValues values() {
        return values;
    }

    public boolean applyChatTemplate() {
        return applyChatTemplate;
    }

    public String chatTemplate() {
        return chatTemplate;
    }
}
