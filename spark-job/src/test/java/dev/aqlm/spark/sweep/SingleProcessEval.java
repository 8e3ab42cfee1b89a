package dev.aqlm.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.cli.EvalCommand;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The reference for the Spark evaluation tests: the single-process {@code eval} command on the fixture task files,
 * and Spark specs with the very same settings (CPU backend, one thread, so both describe the device alike).
 */
public final class SingleProcessEval {
    public static final String FIXTURE_MODEL = Fixtures.model("llama-mistraltok-aqlm-2x8").toString();
    public static final String ALL_TASKS =
            "hellaswag,piqa,arc_easy,arc_challenge,winogrande,lambada_openai,boolq,openbookqa,wikitext";
    public static final Path TASK_FILES = Fixtures.root().resolve("lmeval/tasks");
    private static final int MAX_LENGTH = 48;
    private static final int BOOTSTRAP_ITERATIONS = 1000;

    private SingleProcessEval() {
    }

    /** {@code aqlm-spark eval} in this process, writing results and samples under {@code output}. */
    public static void run(String model, String tasks, ScoringRules rules, Path output) {
        String[] args = {"--model", model, "--tasks", tasks, "--data", TASK_FILES.toString(), "--max-length",
                Integer.toString(MAX_LENGTH), "--rule", rules.label(), "--log-samples", "--bootstrap-iters",
                Integer.toString(BOOTSTRAP_ITERATIONS), "--output", output.toString(), "--backend", "cpu",
                "--threads", "1", "--slots", "4"};
        evalCommand(args);
    }

    /** {@code aqlm-spark eval ARGS} in this process, its table kept off the console; it must succeed. */
    public static void evalCommand(String... args) {
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream())); // the table
            assertEquals(0, RuntimeCli.execute(new EvalCommand(), args));
        } finally {
            System.setOut(stdout);
        }
    }

    /** A Spark spec with the settings of {@link #run}. */
    public static SweepSpec.Builder sparkSpec(List<String> models, String tasks, ScoringRules rules, Path output) {
        return SweepSpec.builder(models, tasks, TASK_FILES, output).maxLength(MAX_LENGTH).rules(rules)
                .logSamples(true).bootstrapIterations(BOOTSTRAP_ITERATIONS)
                .engine(EngineOptions.cpu().withCpuThreads(1).withSlots(4)).progressIntervalSeconds(0);
    }
}
