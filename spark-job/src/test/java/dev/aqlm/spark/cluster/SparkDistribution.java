package dev.aqlm.spark.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Spark 4.2 installation as spark-submit and the standalone daemons see one, without a download: SPARK_HOME/jars
 * holds links to Spark's jars from Maven Central (the list spark-job's build writes to
 * target/spark-distribution.classpath), and nothing of this project, which must come from the application jar.
 */
final class SparkDistribution {
    static final Path JARS_LIST = Path.of("target", "spark-distribution.classpath").toAbsolutePath();

    private SparkDistribution() {
    }

    /** SPARK_HOME under {@code directory}. */
    static Path create(Path directory) throws IOException {
        if (!Files.isRegularFile(JARS_LIST)) {
            throw new IllegalStateException(JARS_LIST + " is missing: run the *IT tests with mvn verify (after package)");
        }
        Path jars = Files.createDirectories(directory.resolve("jars"));
        for (String jar : Files.readString(JARS_LIST).trim().split(java.io.File.pathSeparator)) {
            Path target = Path.of(jar);
            Files.createSymbolicLink(jars.resolve(target.getFileName()), target);
        }
        return directory;
    }
}
