package dev.aqlm.spark.cluster;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.cuda.GpuTests;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.spark.generate.ExpectedCompletions;
import dev.aqlm.spark.generate.GenerateJob;
import dev.aqlm.spark.generate.GeneratedRows;
import dev.aqlm.spark.generate.JobSpecs;
import dev.aqlm.spark.generate.OutputFormat;
import dev.aqlm.spark.generate.OutputTotals;
import dev.aqlm.spark.session.SparkSessions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two GPUs per executor and per task on a real standalone cluster (Master, Worker and an executor as JVMs on
 * 127.0.0.1; the Worker's discovery script offers two fake GPUs): each task's two "gpu" addresses reach the model as
 * the devices of a TP-2 model, which writes the rows of the unsharded engine: on the CPU backend (the GPUs are then
 * only addresses), and on the CUDA backend over two emulated GPUs in the executor.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneClusterTensorParallelTest {
    private static final int ROWS = 8;

    @RegisterExtension
    static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension("tensor-parallel",
            directory -> new LocalStandaloneCluster(directory, 1, 2));

    @Test
    void aTaskWithTwoGpusRunsOneTensorParallelModelOverThem() throws Exception {
        runTwoGpuTasks(new JobSpecs(), Map.of(), "out-cpu");
    }

    @Test
    @Tag("gpu")
    void aTaskWithTwoEmulatedGpusRunsOneCudaTensorParallelModelOverThem() throws Exception {
        assumeTrue(GpuTests.requireDevice().isEmulated(), "the executor's two GPUs are the emulator's");
        // Greedy: seeded sampling at a cumulative-probability boundary is a near-tie that 16-bit rounding of a
        // two-device sum may break either way (CudaTensorParallelTest).
        runTwoGpuTasks(new JobSpecs().backend(EngineOptions.BackendKind.CUDA).temperature(0), Map.of(
                "spark.executorEnv.AQLM_CUDA_EMULATOR", "1", "spark.executorEnv.CUEMU_DEVICES", "2"), "out-cuda");
        assertTrue(CLUSTER.cluster().executorLogText().contains("cuda:1"), "a shard on the second emulated GPU");
    }

    private void runTwoGpuTasks(JobSpecs specs, Map<String, String> executorConf, String outputName)
            throws Exception {
        Path input = CLUSTER.directory().resolve("prompts.jsonl");
        Map<String, String> prompts = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            String prompt = "Tensor parallel prompt " + i + " about " + (i % 2 == 0 ? "rivers" : "stars");
            prompts.put("q" + i, prompt);
            lines.add("{\"id\": \"q" + i + "\", \"prompt\": \"" + prompt + "\"}");
        }
        Files.write(input, lines);
        Map<String, String> conf = new HashMap<>(CLUSTER.cluster().driverConf());
        conf.putAll(executorConf);
        conf.put("spark.executor.cores", "1");
        conf.put("spark.executor.memory", "768m");
        conf.put("spark.executor.resource.gpu.amount", "2");
        conf.put("spark.task.resource.gpu.amount", "2");
        SparkSession spark = SparkSessions.getOrCreate("StandaloneClusterTensorParallelTest",
                CLUSTER.cluster().masterUrl(), conf);
        try {
            JobSpecs sharded = specs.input(input).output(CLUSTER.directory().resolve(outputName)).partitions(2)
                    .tensorParallel(2);
            new GenerateJob(spark, sharded.build(), new PrintStream(OutputStream.nullOutputStream())).run();
            Map<String, Row> rows = new HashMap<>();
            for (Row row : OutputTotals.rows(spark, sharded.build().output(), OutputFormat.PARQUET).collectAsList()) {
                rows.put(row.getAs(GeneratedRow.ID), row);
            }
            Map<String, GenerationResult> unsharded = ExpectedCompletions.of(prompts, sharded.tensorParallel(1));
            assertEquals(prompts.keySet(), rows.keySet());
            for (String id : prompts.keySet()) {
                assertNull(rows.get(id).getAs(GeneratedRow.ERROR), id);
                assertEquals(unsharded.get(id).completion(), rows.get(id).getAs(GeneratedRow.COMPLETION), id);
            }
        } finally {
            spark.stop();
        }
        String executorLog = CLUSTER.cluster().executorLogText();
        assertTrue(executorLog.contains("Spark GPU address(es) [0, 1] -> CUDA ordinal(s) [0, 1]"), executorLog);
        assertTrue(executorLog.contains("tensor-parallel 2"), executorLog);
    }
}
