package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's spark-submit commands, word for word with conf/spark-defaults.cpu.conf as shipped, through Spark's own
 * launcher and SparkSubmit on local[2]: the application jar alone brings the project.
 */
@Timeout(value = 400, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SparkSubmitLocalIT {
    private static ReadmeJobs jobs;

    @BeforeAll
    static void sparkHome() throws IOException {
        Path directory = Files.createDirectories(Path.of("target", "spark-submit", "local-" + System.currentTimeMillis())
                .toAbsolutePath());
        jobs = new ReadmeJobs(SparkDistribution.create(directory.resolve("spark-home")), "local[2]", directory);
    }

    @Test
    void theReadmesSparkSubmitCommandsAreTheOnesTestedHere() throws IOException {
        List<List<String>> commands = ReadmeSparkSubmit.commands();
        assertEquals(2, commands.size(), "bulk generation and SweepJob, nothing untested: " + commands);
        assertEquals(List.of(ReadmeSparkSubmit.command(null), ReadmeSparkSubmit.command(ReadmeJobs.SWEEP_JOB)),
                commands);
        for (List<String> command : commands) {
            assertEquals(List.of("--properties-file", "conf/spark-defaults.cpu.conf"), command.subList(0, 2), command
                    + " uses the CPU configuration as shipped");
        }
    }

    @Test
    void bulkGenerationRunsAsTheReadmeSaysWithOneEngineThreadPerLocalCore() throws Exception {
        String console = jobs.assertBulkGenerationWritesEveryRow(List.of());
        assertEquals(List.of(2), ReadmeJobs.engineThreads(console), "local[2]: one model, two threads");
    }

    @Test
    void sweepRunsAsTheReadmeSays() throws Exception {
        jobs.assertSweepScoresAsEval();
    }
}
