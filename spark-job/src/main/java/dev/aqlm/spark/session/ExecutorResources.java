package dev.aqlm.spark.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The resources of one executor: what an application asks for each of its executors, or what a standalone worker
 * can give one at most (its total: other applications' executors only delay, never prevent, scheduling).
 *
 * @param cores    cores
 * @param memoryMb heap memory in MiB (what a standalone worker accounts; overhead is not counted there)
 * @param custom   amounts of custom resources by name (gpu, ...)
 */
public record ExecutorResources(long cores, long memoryMb, Map<String, Long> custom) {
    private static final Pattern CUSTOM_AMOUNT = Pattern.compile("spark\\.executor\\.resource\\.([^.]+)\\.amount");

    public ExecutorResources {
        custom = Map.copyOf(custom);
    }

    /** What each executor of an application with this configuration asks for (standalone: 1 core at least). */
    public static ExecutorResources requestedBy(SparkConf conf) {
        Map<String, Long> custom = new TreeMap<>();
        for (Tuple2<String, String> setting : conf.getAll()) {
            Matcher name = CUSTOM_AMOUNT.matcher(setting._1());
            if (name.matches()) {
                custom.put(name.group(1), Long.parseLong(setting._2().trim()));
            }
        }
        return new ExecutorResources(conf.getInt("spark.executor.cores", 1),
                conf.getSizeAsMb("spark.executor.memory", "1g"), custom);
    }

    /**
     * What none of {@code workers} can give one executor, one clause per resource, e.g. "8192 MiB of memory
     * (spark.executor.memory) but the largest of 2 workers has 3072 MiB"; empty when some resource is short only
     * in combination, and "no single worker has all of them" is then the one clause.
     */
    public List<String> shortfallsOn(List<ExecutorResources> workers) {
        List<String> shortfalls = new ArrayList<>();
        String largest = " but the largest of " + workers.size() + " worker(s) has ";
        long cores = largest(workers, ExecutorResources::cores);
        if (cores < this.cores) {
            shortfalls.add(this.cores + " cores (spark.executor.cores)" + largest + cores);
        }
        long memory = largest(workers, ExecutorResources::memoryMb);
        if (memory < memoryMb) {
            shortfalls.add(memoryMb + " MiB of memory (spark.executor.memory)" + largest + memory + " MiB");
        }
        custom.forEach((name, amount) -> {
            long offered = largest(workers, worker -> worker.custom().getOrDefault(name, 0L));
            if (offered < amount) {
                shortfalls.add(amount + " " + name + " (spark.executor.resource." + name + ".amount)" + largest + offered);
            }
        });
        if (shortfalls.isEmpty() && workers.stream().noneMatch(this::fitsIn)) {
            shortfalls.add(this + " and no single worker has all of them: " + workers);
        }
        return shortfalls;
    }

    boolean fitsIn(ExecutorResources worker) {
        return cores <= worker.cores && memoryMb <= worker.memoryMb && custom.entrySet().stream()
                .allMatch(need -> need.getValue() <= worker.custom.getOrDefault(need.getKey(), 0L));
    }

    private static long largest(List<ExecutorResources> workers, ToLongFunction<ExecutorResources> amount) {
        return workers.stream().mapToLong(amount).max().orElse(0);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(cores + " cores, " + memoryMb + " MiB");
        custom.forEach((name, amount) -> text.append(", ").append(amount).append(' ').append(name));
        return text.toString();
    }
}
