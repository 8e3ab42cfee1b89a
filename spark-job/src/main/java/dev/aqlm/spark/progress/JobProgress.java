package dev.aqlm.spark.progress;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Live progress of a job on the driver, for any job whose tasks count what they finish in accumulators (rows
 * generated, requests scored): items done, tokens/s overall and per executor, and an ETA. Running tasks' counters
 * arrive with executor heartbeats (spark.executor.heartbeatInterval), finished tasks' with their end event; a failed
 * attempt's items are dropped, so retried items are not counted twice here.
 */
public final class JobProgress extends SparkListener implements AutoCloseable {
    private final ProgressMeasures measures;
    private final long totalItems;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final Map<Long, TaskCounts> running = new HashMap<>();
    private final Map<String, Long> completedTokensByExecutor = new TreeMap<>();
    private final Map<String, Long> firstTaskNanosByExecutor = new HashMap<>();
    private final ScheduledExecutorService reporter;
    private long completedItems;
    private long completedErrors;
    private long completedTokens;
    private int failedTasks;
    private String lastLine = "";

    private record TaskCounts(String executor, long items, long errors, long tokens) {
    }

    /** Starts printing a progress line every {@code intervalSeconds} (0 = never) while the job runs. */
    public JobProgress(ProgressMeasures measures, long totalItems, PrintStream out, double intervalSeconds) {
        this.measures = measures;
        this.totalItems = totalItems;
        this.out = out;
        if (intervalSeconds > 0) {
            reporter = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "aqlm-progress");
                thread.setDaemon(true);
                return thread;
            });
            long millis = Math.round(intervalSeconds * 1000);
            reporter.scheduleAtFixedRate(this::report, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            reporter = null;
        }
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart event) {
        firstTaskNanosByExecutor.putIfAbsent(event.taskInfo().executorId(), System.nanoTime());
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(event.accumUpdates())) {
            TaskCounts counts = countsOf(event.execId(), task._4());
            if (counts != null) {
                running.put((Long) task._1(), counts);
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
        long taskId = event.taskInfo().taskId();
        running.remove(taskId);
        if (event.reason() != Success$.MODULE$) {
            failedTasks++;
            return;
        }
        TaskCounts counts = countsOf(event.taskInfo().executorId(), event.taskInfo().accumulables());
        if (counts != null) {
            completedItems += counts.items();
            completedErrors += counts.errors();
            completedTokens += counts.tokens();
            completedTokensByExecutor.merge(counts.executor(), counts.tokens(), Long::sum);
        }
    }

    private TaskCounts countsOf(String executor, scala.collection.Seq<AccumulableInfo> infos) {
        long items = -1;
        long errors = 0;
        long tokens = 0;
        for (AccumulableInfo info : CollectionConverters.asJava(infos)) {
            if (info.update().isEmpty()) {
                continue;
            }
            long value = ((Number) info.update().get()).longValue();
            if (info.id() == measures.itemsId()) {
                items = value;
            } else if (info.id() == measures.errorsId()) {
                errors = value;
            } else if (info.id() == measures.tokensId()) {
                tokens = value;
            }
        }
        return items < 0 ? null : new TaskCounts(executor, items, errors, tokens);
    }

    /** Tasks that failed (and were retried, or failed the job): executor losses included. */
    public synchronized int failedTasks() {
        return failedTasks;
    }

    /** Measured tokens per second of each executor since its first task, finished and running tasks together. */
    public synchronized Map<String, Double> tokensPerSecondByExecutor() {
        Map<String, Long> tokens = new TreeMap<>(completedTokensByExecutor);
        running.values().forEach(c -> tokens.merge(c.executor(), c.tokens(), Long::sum));
        Map<String, Double> rates = new TreeMap<>();
        long now = System.nanoTime();
        tokens.forEach((executor, count) -> rates.put(executor,
                count / Math.max(1e-9, (now - firstTaskNanosByExecutor.getOrDefault(executor, startNanos)) / 1e9)));
        return rates;
    }

    public synchronized String line() {
        long items = completedItems;
        long errors = completedErrors;
        long tokens = completedTokens;
        for (TaskCounts c : running.values()) {
            items += c.items();
            errors += c.errors();
            tokens += c.tokens();
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        StringBuilder text = new StringBuilder(String.format("progress: %d/%d %s (%.0f%%), ", items, totalItems,
                measures.items(), totalItems == 0 ? 100.0 : 100.0 * items / totalItems));
        if (measures.countsErrors()) {
            text.append(errors).append(" errors, ");
        }
        text.append(String.format("%.1f tok/s", tokens / seconds));
        Map<String, Double> perExecutor = tokensPerSecondByExecutor();
        if (perExecutor.size() > 1 || (perExecutor.size() == 1 && !perExecutor.containsKey("driver"))) {
            text.append(" [");
            perExecutor.forEach((executor, rate) -> text.append("executor ").append(executor)
                    .append(String.format(": %.1f tok/s, ", rate)));
            text.setLength(text.length() - 2);
            text.append("]");
        }
        if (items > 0 && items < totalItems) {
            text.append(", ETA ").append(formatSeconds((totalItems - items) * seconds / items));
        }
        return text.toString();
    }

    private void report() {
        String line = line();
        String withoutRate = line.replaceAll("[\\d.]+ tok/s.*", "");
        if (!withoutRate.equals(lastLine)) {
            lastLine = withoutRate;
            out.println(line);
        }
    }

    static String formatSeconds(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    @Override
    public void close() {
        if (reporter != null) {
            reporter.shutdownNow();
        }
    }
}
