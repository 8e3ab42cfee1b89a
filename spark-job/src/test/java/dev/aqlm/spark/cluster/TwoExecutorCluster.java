package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.spark.executor.PoisonedProcessGuard;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's standalone cluster (see {@link LocalStandaloneCluster}) with a driver session on it: two executor JVMs
 * of one core and one fake GPU each, jobs held back until both registered so both take tasks, and four attempts per
 * task so a halted executor's tasks can be retried. Task outcomes are recorded from the start; the cluster's logs are
 * printed when a test fails.
 */
final class TwoExecutorCluster extends StandaloneClusterExtension {
    private SparkSession spark;
    private final TaskOutcomes outcomes = new TaskOutcomes();

    TwoExecutorCluster(String name) {
        super(name, directory -> new LocalStandaloneCluster(directory, 2, 2));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        super.beforeAll(context);
        Map<String, String> conf = new HashMap<>(cluster().driverConf());
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", "2");
        conf.put("spark.executor.memory", "768m");
        conf.put("spark.executor.resource.gpu.amount", "1");
        conf.put("spark.task.resource.gpu.amount", "1");
        conf.put("spark.task.maxFailures", "4");
        conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        spark = SparkSessions.getOrCreate(context.getRequiredTestClass().getSimpleName(), cluster().masterUrl(), conf);
        spark.sparkContext().addSparkListener(outcomes);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (spark != null) {
            spark.stop();
        }
        super.afterAll(context);
    }

    SparkSession spark() {
        return spark;
    }

    TaskOutcomes outcomes() {
        return outcomes;
    }

    /** The logs of every executor JVM the Worker launched, replaced ones included, as one text. */
    String executorLogText() throws IOException {
        return cluster().executorLogText();
    }

    /**
     * The injected poisoned-context error halted an executor, the scheduler saw it lost and a retried attempt
     * succeeded; the Worker replaced the executor, and no executor JVM loaded the model more than once.
     */
    void assertAnExecutorHaltedAndItsTasksWereRetried() throws IOException {
        assertTrue(outcomes.failures.stream().anyMatch(f -> f.startsWith("ExecutorLostFailure")),
                "an executor was lost: " + outcomes.failures);
        assertTrue(outcomes.retriedSuccesses.get() > 0, "a retried attempt succeeded");
        assertTrue(executorLogText().contains("exit code " + PoisonedProcessGuard.EXIT_CODE),
                "the poisoned executor halted itself");
        Map<Path, Long> loads = new TreeMap<>();
        for (Path log : cluster().executorLogs()) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            loads.put(log, Pattern.compile("loaded model ").matcher(text).results().count());
        }
        assertTrue(loads.values().stream().allMatch(n -> n <= 1), "one load per executor JVM: " + loads);
        assertTrue(loads.values().stream().mapToLong(Long::longValue).sum() >= 2, "both executors loaded it: " + loads);
        assertTrue(loads.size() >= 3, "the Worker replaced the halted executor: " + loads.keySet());
    }

    /** Failed task attempts (by reason) and successful retries, as the scheduler reports them. */
    static final class TaskOutcomes extends SparkListener {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger retriedSuccesses = new AtomicInteger();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
            if (event.reason() == Success$.MODULE$) {
                if (event.taskInfo().attemptNumber() > 0) {
                    retriedSuccesses.incrementAndGet();
                }
            } else {
                failures.add(event.reason() instanceof ExecutorLostFailure lost
                        ? "ExecutorLostFailure: " + lost.toErrorString() : event.reason().getClass().getSimpleName());
            }
        }
    }
}
