package dev.aqlm.spark.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ExecutorCoresTest {
    @Test
    void localMastersGiveTheirTaskThreads() {
        assertEquals(OptionalInt.of(1), ExecutorCores.ofLocalMaster("local"));
        assertEquals(OptionalInt.of(2), ExecutorCores.ofLocalMaster("local[2]"));
        assertEquals(OptionalInt.of(3), ExecutorCores.ofLocalMaster("local[3,4]"));
        assertEquals(OptionalInt.of(Runtime.getRuntime().availableProcessors()), ExecutorCores.ofLocalMaster("local[*,4]"));
        assertEquals(OptionalInt.empty(), ExecutorCores.ofLocalMaster("spark://127.0.0.1:7077"));
    }

    @Test
    void executorJvmsTakeTheCoresTheirLauncherPassed() {
        List<String> standalone = List.of("-cp", "x", "org.apache.spark.executor.CoarseGrainedExecutorBackend",
                "--driver-url", "spark://CoarseGrainedScheduler@127.0.0.1:1", "--executor-id", "0",
                "--hostname", "127.0.0.1", "--cores", "3", "--app-id", "app-1");
        assertEquals(OptionalInt.of(3), ExecutorCores.ofExecutorArguments(standalone));
        assertEquals(OptionalInt.empty(), ExecutorCores.ofExecutorArguments(List.of("-cp", "x", "Main")));
        assertEquals(OptionalInt.empty(), ExecutorCores.ofExecutorArguments(List.of("--cores")));
    }
}
