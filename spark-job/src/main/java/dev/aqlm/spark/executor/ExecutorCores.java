package dev.aqlm.spark.executor;

import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkEnv;

/**
 * How many cores this JVM's Spark executor was given, which is how many threads the CPU backend should use: the
 * executor's tasks take turns on its one model, so each turn may use all of them. A configuration need not name
 * them: local[N] gives N, and a standalone worker gives an executor all of its cores unless spark.executor.cores
 * says otherwise; every cluster manager launches the executor JVM with the result as {@code --cores N}.
 */
public final class ExecutorCores {
    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");

    private ExecutorCores() {
    }

    /** This executor's cores, or empty outside Spark. */
    public static OptionalInt current() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return OptionalInt.empty();
        }
        if ("driver".equals(env.executorId())) { // local mode: the driver runs the tasks
            return ofLocalMaster(env.conf().get("spark.master", "local[*]"));
        }
        OptionalInt launched = ofExecutorArguments(ProcessHandle.current().info().arguments().map(List::of)
                .orElse(List.of()));
        if (launched.isPresent() || !env.conf().contains("spark.executor.cores")) {
            return launched;
        }
        return OptionalInt.of(env.conf().getInt("spark.executor.cores", 1));
    }

    /** The task threads of a local master ({@code local}, {@code local[4]}, {@code local[*,4]}); empty otherwise. */
    static OptionalInt ofLocalMaster(String master) {
        Matcher local = LOCAL_MASTER.matcher(master);
        if (!local.matches()) {
            return OptionalInt.empty();
        }
        String threads = local.group(1);
        if (threads == null) {
            return OptionalInt.of(1);
        }
        return OptionalInt.of(threads.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads));
    }

    /** The {@code --cores N} an executor backend was launched with; empty when absent. */
    static OptionalInt ofExecutorArguments(List<String> arguments) {
        int flag = arguments.indexOf("--cores");
        if (flag < 0 || flag + 1 >= arguments.size() || !arguments.get(flag + 1).matches("\\d+")) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(arguments.get(flag + 1)));
    }
}
