package dev.aqlm.spark.cluster;

import dev.aqlm.runtime.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1: a Master and Workers started as child JVMs from the test classpath
 * (SPARK_SCALA_VERSION=2.13), each Worker offering fake GPUs through a discovery script when asked to. Executors are
 * separate JVMs the Workers launch with SPARK_HOME/jars on their classpath: an empty folder (the driver then ships the
 * classes with {@link #driverConf()}), or a {@link SparkDistribution}'s. Logs stay under {@link #directory()}
 * (target/spark-cluster/...), and {@link #logs()} gathers them for a failing test's report.
 */
final class LocalStandaloneCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://[\\w.]+:\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final Path directory;
    private final Path sparkHome;
    private final Path log4j;
    private final String classpath;
    private final String java;
    private final List<Process> processes = new ArrayList<>();
    private final String masterUrl;

    /** One Worker of {@code workerCores} cores and {@code gpus} fake GPUs; executors get classes from the driver. */
    LocalStandaloneCluster(Path directory, int workerCores, int gpus) throws IOException, InterruptedException {
        this(directory, null, 1, workerCores, gpus);
    }

    /**
     * @param sparkHome the executors' SPARK_HOME (a distribution), or null for one with an empty jars/ folder
     * @param workers   Workers, each with {@code workerCores} cores, 3 GB and {@code gpus} fake GPUs (0: none)
     */
    LocalStandaloneCluster(Path directory, Path sparkHome, int workers, int workerCores, int gpus)
            throws IOException, InterruptedException {
        this.directory = Files.createDirectories(directory);
        this.sparkHome = sparkHome != null ? sparkHome : Files.createDirectories(directory.resolve("spark-home"));
        Files.createDirectories(this.sparkHome.resolve("jars")); // must exist, even empty
        this.log4j = writeLog4j(directory.resolve("log4j2-cluster.properties"));
        this.classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        this.java = SparkProcessEnvironment.java();
        String url = null;
        try {
            Process master = start("master", List.of("-Dspark.master.rest.enabled=false",
                    "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", "0", "--webui-port", "0"));
            url = awaitLog(master, directory.resolve("master.log"), MASTER_URL);
            List<String> gpuOptions = gpus == 0 ? List.of() : List.of("-Dspark.worker.resource.gpu.amount=" + gpus,
                    "-Dspark.worker.resource.gpu.discoveryScript=" + writeDiscoveryScript(directory.resolve("fake-gpus.sh"), gpus));
            for (int i = 0; i < workers; i++) {
                String name = workers == 1 ? "worker" : "worker-" + i;
                List<String> arguments = new ArrayList<>(gpuOptions);
                arguments.addAll(List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", Integer.toString(workerCores), "--memory", "3g", "--webui-port", "0",
                        "--work-dir", directory.resolve("work").toString(), url));
                awaitLog(start(name, arguments), directory.resolve(name + ".log"),
                        Pattern.compile("(Successfully registered with master)"));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(); // no Master left running when a Worker fails to start
            throw e;
        }
        this.masterUrl = url;
    }

    String masterUrl() {
        return masterUrl;
    }

    Path directory() {
        return directory;
    }

    /** Driver settings so executors find the application's classes, log as the test wants, and get one GPU each. */
    Map<String, String> driverConf() {
        return Map.of(
                "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1",
                "spark.executor.extraClassPath", classpath,
                "spark.executor.extraJavaOptions", "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "spark.executorEnv.DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString(),
                "spark.executorEnv.DJL_OFFLINE", "true",
                "spark.ui.enabled", "false");
    }

    /** Every executor's stderr (work/app-*\/<executor id>/stderr). */
    List<Path> executorLogs() throws IOException {
        Path work = directory.resolve("work");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList();
        }
    }

    /** The logs of every executor JVM the Workers launched, replaced ones included, as one text. */
    String executorLogText() throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path log : executorLogs()) {
            text.append(Files.readString(log, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    /** The cluster's logs, the last lines of each, for a failing test's report. */
    String logs() {
        StringBuilder text = new StringBuilder("==== Spark cluster logs under " + directory + " ====\n");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> daemons = Files.list(directory)) {
            daemons.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().forEach(files::add);
        } catch (IOException e) {
            text.append("(cannot list the daemon logs: ").append(e).append(")\n");
        }
        try {
            files.addAll(executorLogs());
        } catch (IOException e) {
            text.append("(cannot list executor logs: ").append(e).append(")\n");
        }
        for (Path file : files) {
            text.append("---- ").append(file).append(" ----\n");
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(line -> text
                        .append(line.length() > 400 ? line.substring(0, 400) + " [...]" : line).append('\n'));
            } catch (IOException e) {
                text.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** Stops the Worker (and the executors it launched), then the Master. */
    @Override
    public void close() throws InterruptedException {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process process = processes.get(i);
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private Process start(String name, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath,
                "-Dlog4j2.configurationFile=" + log4j.toUri()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile());
        SparkProcessEnvironment.apply(builder, sparkHome);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static String awaitLog(Process process, Path log, Pattern pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    return m.group(1);
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(log + ": the process exited with " + process.exitValue() + "\n" + tail(log));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(log + ": no '" + pattern + "' within " + STARTUP + "\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static Path writeDiscoveryScript(Path file, int gpus) throws IOException {
        StringBuilder addresses = new StringBuilder();
        for (int i = 0; i < gpus; i++) {
            addresses.append(i == 0 ? "" : ",").append('"').append(i).append('"');
        }
        Files.writeString(file, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[" + addresses + "]}'\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static Path writeLog4j(Path file) throws IOException {
        Path projectConf = Fixtures.root().getParent().resolve("conf/log4j2.properties");
        // The project's configuration, plus Spark's deploy messages that tell when the Master and Worker are up.
        Files.writeString(file, Files.readString(projectConf)
                + "\nlogger.deploy.name = org.apache.spark.deploy\nlogger.deploy.level = info\n"
                + "logger.executor.name = org.apache.spark.executor\nlogger.executor.level = info\n");
        return file;
    }
}
