package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.Speculation;
import java.io.Serializable;
import java.util.List;

/**
 * The job-wide generation settings every row starts from (a row's override columns may change the sampling ones).
 * A plain serializable class: it travels to the executors in the task closure.
 */
public final class GenerationDefaults implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String modelLabel;
    private final int maxNewTokens;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final long jobSeed;
    private final String[] stopStrings;
    private final boolean stopAtEos;
    private final boolean applyChatTemplate;
    private final String chatTemplate;
    private final boolean truncatePrompts;
    private final String speculation; // Speculation.describe(): Kryo cannot serialize records

    /**
     * @param modelLabel        what the output's model column says (the --model the user gave)
     * @param jobSeed           row seeds derive from (jobSeed, row id) unless a row has a seed column
     * @param applyChatTemplate render each prompt as one user message through the chat template
     * @param chatTemplate      a template that replaces the tokenizer's own, or null
     * @param truncatePrompts   cut prompts that leave no room for max_new_tokens (BOS and their end kept) instead of
     *                          failing their rows
     */
    public GenerationDefaults(String modelLabel, int maxNewTokens, double temperature, int topK, double topP,
                              long jobSeed, List<String> stopStrings, boolean stopAtEos, boolean applyChatTemplate,
                              String chatTemplate, boolean truncatePrompts) {
        this(modelLabel, maxNewTokens, temperature, topK, topP, jobSeed, stopStrings, stopAtEos, applyChatTemplate,
                chatTemplate, truncatePrompts, Speculation.NONE);
    }

    /** @param speculation how rows draft several tokens per pass (never changes their tokens) */
    public GenerationDefaults(String modelLabel, int maxNewTokens, double temperature, int topK, double topP,
                              long jobSeed, List<String> stopStrings, boolean stopAtEos, boolean applyChatTemplate,
                              String chatTemplate, boolean truncatePrompts, Speculation speculation) {
        this.speculation = speculation.describe();
        this.modelLabel = modelLabel;
        this.maxNewTokens = maxNewTokens;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.jobSeed = jobSeed;
        this.stopStrings = stopStrings.toArray(new String[0]);
        this.stopAtEos = stopAtEos;
        this.applyChatTemplate = applyChatTemplate;
        this.chatTemplate = chatTemplate;
        this.truncatePrompts = truncatePrompts;
    }

    public String modelLabel() {
        return modelLabel;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public double temperature() {
        return temperature;
    }

    public int topK() {
        return topK;
    }

    public double topP() {
        return topP;
    }

    public long jobSeed() {
        return jobSeed;
    }

    public List<String> stopStrings() {
        return List.of(stopStrings);
    }

    public boolean stopAtEos() {
        return stopAtEos;
    }

    public boolean applyChatTemplate() {
        return applyChatTemplate;
    }

    public String chatTemplate() {
        return chatTemplate;
    }

    public boolean truncatePrompts() {
        return truncatePrompts;
    }

    public Speculation speculation() {
        return Speculation.parse(speculation);
    }
}
