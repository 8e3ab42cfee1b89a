package dev.aqlm.spark.cli;

import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.cli.OptionChecks;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.hub.HubCache;
import dev.aqlm.runtime.io.IoFailures;
import dev.aqlm.runtime.io.OutputFolders;
import dev.aqlm.runtime.synthetic.SyntheticCheckpointFolder;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import dev.aqlm.spark.generate.GenerateJob;
import dev.aqlm.spark.generate.GenerateJobSpec;
import dev.aqlm.spark.generate.GeneratedRows;
import dev.aqlm.spark.generate.JobSummary;
import dev.aqlm.spark.generate.OutputFormat;
import dev.aqlm.spark.generate.OutputTotals;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the bulk-generation job end to end on this machine. Writes a small synthetic AQLM model (random
 * weights: its text is noise), runs local Spark over the bundled prompts, and prints the summary, a few rows and where
 * the output is. {@code --model} points the same run at a real checkpoint or Hub id.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the Spark bulk-generation job locally on a synthetic AQLM model and the bundled prompts.")
public final class DemoCommand implements Callable<Integer> {
    private static final String PROMPTS_RESOURCE = "/dev/aqlm/spark/demo/prompts.jsonl";
    private static final String SYNTHETIC_FOLDER = "model-small-aqlm-2x8";

    @Option(names = "--work-dir", description = "where the model, prompts and output go (default: build/demo in the"
            + " repository, else ~/.cache/aqlm-spark/demo)")
    Path workDir;

    @Option(names = "--model", description = "a real checkpoint directory or Hub id instead of the synthetic model")
    String model;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "tokens per completion (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() {
        Path work = workDir != null ? workDir : defaultWorkDir();
        OptionChecks.requireAtLeast("--max-new-tokens", maxNewTokens, 0);
        OutputFolders.requireCreatable(work, "--work-dir " + work);
        EngineOptions engine = EngineOptions.DEFAULTS.withBackend(EngineOptionsMixin.backendKind(backend));
        Path prompts = copyPrompts(work); // first: it may refuse, and then nothing else is written
        String modelReference = model != null ? model : syntheticModel(work).toString();
        Path output = work.resolve("output");
        GenerateJobSpec spec = GenerateJobSpec.builder(modelReference, prompts.toString(), output.toString())
                .mode(GenerateJobSpec.OutputMode.OVERWRITE).engine(engine)
                .maxNewTokens(maxNewTokens).temperature(0.8).topP(0.95).seed(42)
                .progressIntervalSeconds(2).build();

        System.err.println("[demo] running bulk-generate on local Spark: " + prompts + " -> " + output);
        SparkSession spark = SparkSessions.getOrCreate("aqlm-spark demo", null, Map.of());
        try {
            JobSummary summary = new GenerateJob(spark, spec, System.err).run();
            System.out.println();
            System.out.println("== aqlm-spark demo: bulk generation on Spark " + spark.version() + " ("
                    + spark.sparkContext().master() + ") ==");
            System.out.println("model:       " + modelReference + (model == null ? "  (synthetic, random weights)" : ""));
            summary.print(System.out);
            System.out.println();
            System.out.println("a few rows:");
            List<Row> sample = OutputTotals.rows(spark, output.toString(), OutputFormat.PARQUET)
                    .orderBy(GeneratedRow.ID).limit(3).collectAsList();
            for (Row row : sample) {
                System.out.printf("  %s  %s%n      -> %s  [%s, %d tokens]%n", row.<String>getAs(GeneratedRow.ID),
                        row.<String>getAs(GeneratedRow.PROMPT), printable(row.getAs(GeneratedRow.COMPLETION)),
                        row.<String>getAs(GeneratedRow.FINISH_REASON),
                        row.<Integer>getAs(GeneratedRow.COMPLETION_TOKENS));
            }
        } finally {
            spark.stop();
        }
        System.out.println();
        if (model == null) {
            System.out.println("The model is synthetic: random weights in a real AQLM 2x8 checkpoint, so its text is"
                    + " meaningless. What is real: the checkpoint format, the tokenizer, the engine, Spark, the output.");
            System.out.println("Run the same job with a real model (a checkpoint folder or a Hugging Face Hub id):");
            System.out.println("  ./aqlm-spark demo --model ISTA-DASLab/Llama-2-7b-AQLM-2Bit-1x16-hf");
        }
        System.out.println("Your own prompts: ./aqlm-spark bulk-generate --model MODEL --input prompts.jsonl --output out/"
                + "  (see --help)");
        System.out.println("Read the output:  spark.read.parquet(\"" + output + "\")");
        return 0;
    }

    private static Path defaultWorkDir() {
        String root = System.getProperty("aqlm.root");
        if (root != null && Files.isDirectory(Path.of(root))) {
            return Path.of(root, "build", "demo");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "aqlm-spark", "demo");
    }

    /**
     * The synthetic demo model, written once. A complete model already there is reused (also one written before the
     * synthetic marker existed); anything else in the folder is never written over.
     */
    private static Path syntheticModel(Path work) {
        Path directory = work.resolve(SYNTHETIC_FOLDER);
        boolean complete = SyntheticCheckpointFolder.isComplete(directory) || (HubCache.missingModelFiles(directory)
                .isEmpty() && Files.isRegularFile(directory.resolve("tokenizer.json")));
        if (complete) {
            return directory;
        }
        long start = System.nanoTime();
        SyntheticCheckpointFolder.write(new SyntheticModelWriter(SyntheticShape.SMALL, DType.F16,
                SyntheticModelWriter.scheme("2x8"), 1234), directory, true, "--work-dir", "--work-dir");
        System.err.printf("[demo] wrote the synthetic model %s (%s, AQLM 2x8) in %.1f s%n", directory,
                SyntheticShape.SMALL, (System.nanoTime() - start) / 1e9);
        return directory;
    }

    /** The bundled prompts, copied once; a different file of that name is the user's and is never replaced. */
    private static Path copyPrompts(Path work) {
        Path prompts = work.resolve("prompts.jsonl");
        try (InputStream in = DemoCommand.class.getResourceAsStream(PROMPTS_RESOURCE)) {
            byte[] bundled = in.readAllBytes();
            if (Files.exists(prompts)) {
                if (!Files.isRegularFile(prompts) || !Arrays.equals(Files.readAllBytes(prompts), bundled)) {
                    throw new AqlmException(prompts + " exists and is not the demo's bundled prompts file; the demo"
                            + " never replaces it: choose another --work-dir");
                }
                return prompts;
            }
            Files.createDirectories(work);
            Files.write(prompts, bundled);
            return prompts;
        } catch (IOException e) {
            throw new AqlmException("cannot write " + prompts + ": " + IoFailures.describe(e), e);
        }
    }

    private static String printable(String text) {
        String oneLine = text.replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > 100 ? oneLine.substring(0, 100) + "..." : oneLine;
    }
}
