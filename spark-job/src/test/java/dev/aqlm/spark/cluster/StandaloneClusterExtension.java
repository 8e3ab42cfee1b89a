package dev.aqlm.spark.cluster;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A test class's {@link LocalStandaloneCluster}: started before its tests under target/spark-cluster/NAME-TIME,
 * stopped after them, its logs printed when a test fails.
 */
class StandaloneClusterExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    /** Starts the cluster in the directory given. */
    interface Starter {
        LocalStandaloneCluster start(Path directory) throws IOException, InterruptedException;
    }

    private final String name;
    private final Starter starter;
    private LocalStandaloneCluster cluster;

    StandaloneClusterExtension(String name, Starter starter) {
        this.name = name;
        this.starter = starter;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = starter.start(Path.of("target", "spark-cluster", name + "-" + System.currentTimeMillis())
                .toAbsolutePath());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (cluster != null) {
            System.err.println(cluster.logs());
        }
    }

    LocalStandaloneCluster cluster() {
        return cluster;
    }

    /** Where the cluster's files and logs are: a test's inputs and outputs go here too. */
    Path directory() {
        return cluster.directory();
    }
}
