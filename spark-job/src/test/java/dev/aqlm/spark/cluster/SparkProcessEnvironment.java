package dev.aqlm.spark.cluster;

import java.nio.file.Path;

/**
 * What Spark's scripts (bin/spark-class, sbin/start-*.sh) put in the environment of every Spark JVM they start, for
 * the child processes the tests start instead: where Spark is, its Scala version (without it a Worker cannot launch
 * executors), the JDK of this test, and the loopback address every test cluster binds to.
 */
final class SparkProcessEnvironment {
    private SparkProcessEnvironment() {
    }

    /** The java executable of this test JVM, for the processes it starts. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static ProcessBuilder apply(ProcessBuilder builder, Path sparkHome) {
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("JAVA_HOME", Path.of(java()).getParent().getParent().toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder;
    }
}
