package dev.aqlm.spark.session;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a Spark job runs, shared by every job command: the master and extra Spark settings. */
public class SparkMasterOptions {
    @Option(names = "--master", description = "Spark master, e.g. spark://host:7077 (default: spark-submit's, else local[*])")
    public String master;

    @Option(names = "--conf", description = "a Spark setting KEY=VALUE (repeatable)")
    public Map<String, String> conf = new LinkedHashMap<>();

    /** Whether this process was started by spark-submit (which passes its settings as spark.* system properties). */
    public static boolean underSparkSubmit() {
        return System.getProperty("spark.master") != null;
    }
}
