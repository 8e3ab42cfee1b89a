package dev.aqlm.spark.generate;

/**
 * Everything a bulk-generation job is asked to do (built by the CLI, or by a program or notebook): where the prompts
 * are read from and the rows written to, and the {@link GenerationSpec} that generates them (the same settings the
 * DataFrame API takes). Lives on the driver.
 *
 * @param inputFormat     null to infer from the file extension
 * @param commitEveryRows rows per commit wave: each wave is one Spark write, so a crashed job resumes from the last
 * @param generation      the model, engine, sampling settings and prompt columns
 */
public record GenerateJobSpec(String input, InputFormat inputFormat, String output, OutputFormat outputFormat,
                              OutputMode mode, long commitEveryRows, double progressIntervalSeconds,
                              GenerationSpec generation) {

    /** Rows per commit wave unless set (--commit-every's default). */
    public static final long DEFAULT_COMMIT_EVERY_ROWS = 20_000;

    /**
     * A spec with the command line's defaults (greedy, 128 new tokens, Parquet, a new output folder), for programs
     * and notebooks: {@code GenerateJobSpec.builder(model, input, output).temperature(0.7).build()}.
     */
    public static Builder builder(String model, String input, String output) {
        return new Builder(model, input, output);
    }

    /** Builds a {@link GenerateJobSpec}: the generation settings of {@link GenerationSpec.Settings}, plus files. */
    public static final class Builder extends GenerationSpec.Settings<Builder> {
        private final String input;
        private final String output;
        private InputFormat inputFormat;
        private OutputFormat outputFormat = OutputFormat.PARQUET;
        private OutputMode mode = OutputMode.CREATE;
        private long commitEveryRows = DEFAULT_COMMIT_EVERY_ROWS;
        private double progressIntervalSeconds = 5;

        private Builder(String model, String input, String output) {
            super(model);
            this.input = input;
            this.output = output;
        }

        public Builder inputFormat(InputFormat value) {
            inputFormat = value;
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

        public Builder commitEveryRows(long value) {
            commitEveryRows = value;
            return this;
        }

        public Builder progressIntervalSeconds(double value) {
            progressIntervalSeconds = value;
            return this;
        }

        public GenerateJobSpec build() {
            return new GenerateJobSpec(input, inputFormat, output, outputFormat, mode, commitEveryRows,
                    progressIntervalSeconds, generationSpec());
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
