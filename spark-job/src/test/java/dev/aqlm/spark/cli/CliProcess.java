package dev.aqlm.spark.cli;

import dev.aqlm.runtime.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** aqlm-spark as a user starts it: its own JVM (the launcher's flags), in a working directory of the test's choosing. */
final class CliProcess {
    private CliProcess() {
    }

    /** The command line; {@code prefix} runs before java (e.g. a wrapper that restores signal handling). */
    static List<String> command(List<String> prefix, String... args) {
        Path root = Fixtures.root().getParent();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + root.resolve("conf/java17-module-options.args"),
                "-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                AqlmSparkCli.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts it with stdout and stderr merged into {@code log}. */
    static Process start(Path cwd, Path log, List<String> command) throws IOException {
        return start(cwd, log, command, Map.of());
    }

    /** The same, with these variables added to its environment. */
    static Process start(Path cwd, Path log, List<String> command, Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }
}
