package dev.aqlm.spark.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/spark-submit} as a Spark distribution runs it: bin/spark-class asks Spark's launcher library
 * ({@code org.apache.spark.launcher.Main}) for the driver's java command (classpath SPARK_HOME/jars, the options Spark
 * adds for Java 17, the properties file's driver settings), then runs that command, here in the checkout as the
 * README's commands are.
 */
final class SparkSubmitLauncher {
    private static final Duration BUILD_COMMAND = Duration.ofSeconds(60);

    private final Path sparkHome;
    private final Path workingDirectory;
    private final String java = SparkProcessEnvironment.java();

    /** What a run printed (stdout and stderr together, also kept in its log file) and how it ended. */
    record Run(int exitCode, String output) {
    }

    SparkSubmitLauncher(Path sparkHome, Path workingDirectory) {
        this.sparkHome = sparkHome;
        this.workingDirectory = workingDirectory;
    }

    /** {@code spark-submit ARGUMENTS}, its output in {@code log}; killed (exit code -1) after {@code timeout}. */
    Run run(List<String> arguments, Path log, Duration timeout) throws IOException, InterruptedException {
        List<String> command = driverCommand(arguments);
        Files.writeString(log, "spark-submit " + String.join(" ", arguments) + "\n" + String.join(" ", command) + "\n\n");
        Process driver = process(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        boolean exited = driver.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Run(exited ? driver.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The launcher's answer: message lines, a NUL line, then the command's arguments each ended by NUL. */
    private List<String> driverCommand(List<String> arguments) throws IOException, InterruptedException {
        List<String> launcher = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", sparkHome.resolve("jars") + "/*",
                "org.apache.spark.launcher.Main", "org.apache.spark.deploy.SparkSubmit"));
        launcher.addAll(arguments);
        Process process = process(launcher).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String answer = readAll(process.getInputStream());
        if (!process.waitFor(BUILD_COMMAND.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("Spark's launcher failed for " + arguments + ": " + answer);
        }
        int start = answer.indexOf("\0\n");
        if (start < 0) {
            throw new IllegalStateException("Spark's launcher printed no command: " + answer);
        }
        return Arrays.asList(answer.substring(start + 2).split("\0"));
    }

    private ProcessBuilder process(List<String> command) {
        return SparkProcessEnvironment.apply(new ProcessBuilder(command).directory(workingDirectory.toFile()), sparkHome);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
