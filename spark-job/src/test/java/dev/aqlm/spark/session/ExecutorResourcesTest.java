package dev.aqlm.spark.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorResourcesTest {
    private static final ExecutorResources SMALL_WORKER = new ExecutorResources(2, 3072, Map.of("gpu", 1L));

    @Test
    void theRequestComesFromTheExecutorSettings() {
        SparkConf conf = new SparkConf(false).set("spark.executor.cores", "8").set("spark.executor.memory", "8g")
                .set("spark.executor.resource.gpu.amount", "2").set("spark.task.resource.gpu.amount", "1");
        assertEquals(new ExecutorResources(8, 8192, Map.of("gpu", 2L)), ExecutorResources.requestedBy(conf));
        assertEquals(new ExecutorResources(1, 1024, Map.of()), ExecutorResources.requestedBy(new SparkConf(false)));
    }

    @Test
    void eachShortResourceIsNamedWithItsSetting() {
        ExecutorResources request = new ExecutorResources(8, 8192, Map.of("gpu", 1L));
        assertEquals(List.of("8 cores (spark.executor.cores) but the largest of 1 worker(s) has 2",
                        "8192 MiB of memory (spark.executor.memory) but the largest of 1 worker(s) has 3072 MiB"),
                request.shortfallsOn(List.of(SMALL_WORKER)));
        assertEquals(List.of("2 gpu (spark.executor.resource.gpu.amount) but the largest of 1 worker(s) has 1"),
                new ExecutorResources(1, 1024, Map.of("gpu", 2L)).shortfallsOn(List.of(SMALL_WORKER)));
    }

    @Test
    void resourcesSpreadOverWorkersAreShortTogether() {
        ExecutorResources request = new ExecutorResources(2, 4096, Map.of());
        List<ExecutorResources> workers = List.of(new ExecutorResources(2, 1024, Map.of()),
                new ExecutorResources(1, 8192, Map.of()));
        assertTrue(workers.stream().noneMatch(request::fitsIn));
        List<String> shortfalls = request.shortfallsOn(workers);
        assertEquals(1, shortfalls.size());
        assertTrue(shortfalls.get(0).contains("no single worker has all of them"), shortfalls.get(0));
        assertTrue(new ExecutorResources(1, 1024, Map.of()).fitsIn(SMALL_WORKER));
    }
}
