package dev.aqlm.spark.generate;

import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.cli.OptionChecks;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.cli.SamplingOptionsMixin;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.io.IoFailures;
import dev.aqlm.spark.session.SparkMasterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bulk-generate}: the Spark generation job. Without --master (and outside spark-submit) it runs on an embedded
 * local Spark; with {@code --master spark://...} this process is the driver of a cluster job.
 */
@Command(name = "bulk-generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a completion for every row of a prompts dataset with Apache Spark.",
                "One model per executor, rows streamed through continuous batching, one output row per input row"
                        + " (errors included), resumable. Runs on local Spark unless --master or spark-submit says otherwise."})
public final class BulkGenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "checkpoint directory visible to every executor, or Hugging Face Hub id org/name[@revision]")
    String model;

    @Option(names = "--input", required = true, description = "prompts: a file or folder of JSONL, Parquet, CSV (with a header) or text (one prompt per line)")
    String input;

    @Option(names = "--output", required = true, description = "output folder (local, HDFS, or any Hadoop filesystem)")
    String output;

    @Option(names = "--input-format", description = "jsonl, parquet, csv or text (default: from the file extension)")
    String inputFormat;

    @Option(names = "--prompt-column", defaultValue = "prompt", description = "column holding the prompt text (default: ${DEFAULT-VALUE})")
    String promptColumn;

    @Option(names = "--id-column", description = "column of unique row ids (default: 'id' if the input has it, else ids are <file>:<row number>)")
    String idColumn;

    @Option(names = "--no-row-overrides", description = "ignore the input's per-row setting columns (those named as the output's setting columns, e.g. temperature, top_k)")
    boolean noRowOverrides;

    @Option(names = "--chat", description = "format each prompt as a user message with the tokenizer's chat template")
    boolean chat;

    @Option(names = "--chat-template-file", description = "a Jinja chat template to use instead of the tokenizer's (implies --chat)")
    Path chatTemplateFile;

    @Option(names = "--output-format", defaultValue = "parquet", description = "parquet or jsonl (default: ${DEFAULT-VALUE})")
    String outputFormat;

    @Option(names = "--resume", description = "continue an earlier run's output: skip ids already there (the model and settings must match)")
    boolean resume;

    @Option(names = "--overwrite", description = "replace an earlier bulk-generate output in --output (refused for a"
            + " folder holding anything else)")
    boolean overwrite;

    @Mixin SparkMasterOptions spark;

    @Option(names = "--partitions", defaultValue = "0",
            description = "generation tasks per commit wave; 0 = the input's partitions, spread over the cluster's task slots")
    int partitions;

    @Option(names = "--commit-every", defaultValue = "" + GenerateJobSpec.DEFAULT_COMMIT_EVERY_ROWS,
            description = "rows per commit wave: a crashed job resumes after the last committed wave (default: ${DEFAULT-VALUE})")
    long commitEvery;

    @Option(names = "--queue-depth", defaultValue = "0", description = "requests queued per task beside the active slots; 0 = 2 x --slots")
    int queueDepth;

    @Option(names = "--progress-interval", defaultValue = "5", description = "seconds between progress lines; 0 = none (default: ${DEFAULT-VALUE})")
    double progressInterval;

    @Option(names = "--inject-fault", hidden = true, description = "fault-tolerance drill: poison-context:partition=P:after=N")
    String injectFault;

    @Mixin EngineOptionsMixin engine;
    @Mixin SamplingOptionsMixin sampling;

    @Override
    public Integer call() {
        JobSummary summary = GenerateJob.runStandalone(toSpec(), spark.master, spark.conf, System.err);
        summary.print(System.out);
        if (summary.everyRowFailed()) {
            System.err.println("error: every one of the " + summary.thisRun().rows() + " rows of this run failed;"
                    + " their error column says why");
            return RuntimeCli.EXIT_FAILURE;
        }
        return 0;
    }

    GenerateJobSpec toSpec() {
        if (resume && overwrite) {
            throw new AqlmException("--resume and --overwrite contradict each other: choose one");
        }
        OptionChecks.requireAtLeast("--progress-interval", progressInterval, 0.0);
        OptionChecks.requireAtLeast("--commit-every", commitEvery, 1);
        OptionChecks.requireAtLeast("--partitions", partitions, 0);
        OptionChecks.requireAtLeast("--queue-depth", queueDepth, 0);
        String template = null;
        if (chatTemplateFile != null) {
            try {
                template = Files.readString(chatTemplateFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AqlmException("cannot read --chat-template-file " + chatTemplateFile + ": "
                        + IoFailures.describe(e), e);
            }
        }
        return GenerateJobSpec.builder(model, input, output)
                .inputFormat(inputFormat == null ? null : InputFormat.parse(inputFormat, "--input-format"))
                .promptColumn(promptColumn).idColumn(idColumn).rowOverrides(!noRowOverrides)
                .outputFormat(OutputFormat.parse(outputFormat))
                .mode(resume ? GenerateJobSpec.OutputMode.RESUME
                        : overwrite ? GenerateJobSpec.OutputMode.OVERWRITE : GenerateJobSpec.OutputMode.CREATE)
                .engine(engine.toEngineOptions())
                .values(sampling.toValues()).chat(chat, template)
                .partitions(partitions).commitEveryRows(commitEvery).queueDepth(queueDepth)
                .faultInjection(injectFault).progressIntervalSeconds(progressInterval)
                .build();
    }
}
