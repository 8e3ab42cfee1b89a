package dev.aqlm.spark.sweep;

import picocli.CommandLine.Option;

/** How the Spark evaluation jobs ({@code eval --spark}, {@code sweep}) split and report their scoring. */
public class SparkScoringOptions {
    @Option(names = "--partitions", defaultValue = "0",
            description = "scoring tasks (requests sharing a context stay together); 0 = the cluster's default parallelism")
    int partitions;

    @Option(names = "--requests-per-call", defaultValue = "" + SweepSpec.DEFAULT_REQUESTS_PER_CALL,
            description = "requests per engine call inside a task: more keeps the KV slots fuller, fewer reports"
                    + " progress more often (default: ${DEFAULT-VALUE})")
    int requestsPerCall;

    @Option(names = "--progress-interval", defaultValue = "5",
            description = "seconds between progress lines; 0 = none (default: ${DEFAULT-VALUE})")
    double progressInterval;

    @Option(names = "--inject-fault", hidden = true,
            description = "fault-tolerance drill: poison-context:partition=P:after=N (N engine calls)")
    String injectFault;
}
