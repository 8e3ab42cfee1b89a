package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.EngineOptions;
import java.util.List;

/**
 * Everything a bulk-generation job is asked to do (built by the CLI, or by a program or notebook). Lives on the
 * driver; executors get only the {@link dev.aqlm.spark.executor.ModelDescriptor} and {@link GenerationDefaults}.
 *
 * @param inputFormat     null to infer from the file extension
 * @param idColumn        null to number rows by file and position
 * @param rowOverrides    use the input's temperature/top_p/top_k/max_new_tokens/seed columns where present
 * @param model           checkpoint directory or Hugging Face Hub id, as the user gave it
 * @param partitions      generation tasks per commit wave; 0 = the input's partitions, spread over the cluster's cores
 * @param commitEveryRows rows per commit wave: each wave is one Spark write, so a crashed job resumes from the last
 * @param queueDepth      requests waiting in each task's scheduler queue (0 = twice the slots)
 * @param faultInjection  a deliberate failure for fault-tolerance tests ({@link dev.aqlm.spark.executor.FaultInjection}), or null
 */
public record GenerateJobSpec(String input, InputFormat inputFormat, String promptColumn, String idColumn,
                              boolean rowOverrides, String output, OutputFormat outputFormat, OutputMode mode,
                              String model, EngineOptions engine, GenerationDefaults defaults, int partitions,
                              long commitEveryRows, int queueDepth, String faultInjection,
                              double progressIntervalSeconds) {

    /**
     * A spec with the command line's defaults (greedy, 128 new tokens, Parquet, a new output folder), for programs
     * and notebooks: {@code GenerateJobSpec.builder(model, input, output).temperature(0.7).build()}.
     */
    public static Builder builder(String model, String input, String output) {
        return new Builder(model, input, output);
    }

    /** Builds a {@link GenerateJobSpec}; every setter has the CLI option's default. */
    public static final class Builder {
        private final String model;
        private final String input;
        private final String output;
        private InputFormat inputFormat;
        private String promptColumn = "prompt";
        private String idColumn;
        private boolean rowOverrides = true;
        private OutputFormat outputFormat = OutputFormat.PARQUET;
        private OutputMode mode = OutputMode.CREATE;
        private EngineOptions engine = EngineOptions.DEFAULTS;
        private int maxNewTokens = 128;
        private double temperature;
        private int topK;
        private double topP = 1.0;
        private long seed;
        private List<String> stopStrings = List.of();
        private boolean stopAtEos = true;
        private boolean chat;
        private String chatTemplate;
        private int partitions;
        private long commitEveryRows = 20_000;
        private int queueDepth;
        private String faultInjection;
        private double progressIntervalSeconds = 5;

        private Builder(String model, String input, String output) {
            this.model = model;
            this.input = input;
            this.output = output;
        }

        public Builder inputFormat(InputFormat value) {
            inputFormat = value;
            return this;
        }

        public Builder promptColumn(String value) {
            promptColumn = value;
            return this;
        }

        /** Null: the input's "id" column if it has one, else {@code <file>:<row>}. */
        public Builder idColumn(String value) {
            idColumn = value;
            return this;
        }

        public Builder rowOverrides(boolean value) {
            rowOverrides = value;
            return this;
        }

        public Builder outputFormat(OutputFormat value) {
            outputFormat = value;
            return this;
        }

        public Builder mode(OutputMode value) {
            mode = value;
            return this;
        }

        public Builder engine(EngineOptions value) {
            engine = value;
            return this;
        }

        public Builder maxNewTokens(int value) {
            maxNewTokens = value;
            return this;
        }

        public Builder temperature(double value) {
            temperature = value;
            return this;
        }

        public Builder topK(int value) {
            topK = value;
            return this;
        }

        public Builder topP(double value) {
            topP = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder stopStrings(List<String> value) {
            stopStrings = List.copyOf(value);
            return this;
        }

        public Builder stopAtEos(boolean value) {
            stopAtEos = value;
            return this;
        }

        /** Format prompts with the tokenizer's chat template, or with {@code template} when it is not null. */
        public Builder chat(boolean value, String template) {
            chat = value || template != null;
            chatTemplate = template;
            return this;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder commitEveryRows(long value) {
            commitEveryRows = value;
            return this;
        }

        public Builder queueDepth(int value) {
            queueDepth = value;
            return this;
        }

        public Builder faultInjection(String value) {
            faultInjection = value;
            return this;
        }

        public Builder progressIntervalSeconds(double value) {
            progressIntervalSeconds = value;
            return this;
        }

        public GenerateJobSpec build() {
            GenerationDefaults defaults = new GenerationDefaults(model, maxNewTokens, temperature, topK, topP, seed,
                    stopStrings, stopAtEos, chat, chatTemplate);
            return new GenerateJobSpec(input, inputFormat, promptColumn, idColumn, rowOverrides, output, outputFormat,
                    mode, model, engine, defaults, partitions, commitEveryRows, queueDepth, faultInjection,
                    progressIntervalSeconds);
        }
    }

    /** What to do when the output already exists. */
    public enum OutputMode {
        /** Refuse: the output must not exist yet. */
        CREATE,
        /** Skip ids already in the output (the model and settings must be the same). */
        RESUME,
        /** Delete the output first. */
        OVERWRITE
    }
}
