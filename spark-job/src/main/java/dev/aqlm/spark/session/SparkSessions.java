package dev.aqlm.spark.session;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of an aqlm-spark job: the master from --master, else from spark-submit (spark.master), else an
 * embedded local Spark. Kryo with registered classes; frequent executor heartbeats so the driver's progress is live;
 * no web UI for local runs. Settings the user gives (spark-defaults, --conf) always win.
 */
public final class SparkSessions {
    /** Local Spark: one thread per core, and up to 4 attempts per task (plain local[N] never retries). */
    public static final String LOCAL_MASTER = "local[*,4]";
    private static final java.util.regex.Pattern KNOWN_MASTER = java.util.regex.Pattern.compile(
            "local(\\[\\s*(\\*|\\d+)\\s*(,\\s*\\d+\\s*)?\\])?|local-cluster\\[.*\\]|spark://\\S+|yarn|k8s://\\S+");

    /** Set by the aqlm-spark launcher: the spark-submit application jar, shipped to executors of cluster jobs. */
    public static final String APP_JAR_PROPERTY = "aqlm.app.jar";
    /**
     * Kryo's class registrations, named as conf/spark-defaults.*.conf name them: by name, since they list classes of
     * every job package, which all depend on this one (a test checks that the class is there and is a registrator).
     */
    public static final String KRYO_REGISTRATOR = "dev.aqlm.spark.kryo.AqlmKryoRegistrator";

    private SparkSessions() {
    }

    public static SparkSession getOrCreate(String appName, String master, Map<String, String> conf) {
        SparkConf sparkConf = new SparkConf(); // picks up spark.* system properties, i.e. spark-submit's settings
        if (master != null && !master.isBlank()) {
            sparkConf.setMaster(requireKnownMaster(master.strip()));
        } else if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster(LOCAL_MASTER);
        }
        sparkConf.setAppName(sparkConf.get("spark.app.name", appName));
        conf.forEach(sparkConf::set);
        boolean local = sparkConf.get("spark.master").startsWith("local");
        sparkConf.setIfMissing("spark.serializer", KryoSerializer.class.getName());
        sparkConf.setIfMissing("spark.kryo.registrationRequired", "true");
        sparkConf.setIfMissing("spark.kryo.registrator", KRYO_REGISTRATOR);
        sparkConf.setIfMissing("spark.executor.heartbeatInterval", "2s");
        // A speculative copy of a generation task would need a second GPU slot and repeat the work.
        sparkConf.setIfMissing("spark.speculation", "false");
        String appJar = System.getProperty(APP_JAR_PROPERTY);
        if (!local && !sparkConf.contains("spark.jars") && appJar != null && new java.io.File(appJar).isFile()) {
            // A cluster job driven from the launcher: executors fetch the application jar from this driver.
            sparkConf.set("spark.jars", appJar);
        }
        if (local && sparkConf.contains("spark.task.resource.gpu.amount")) {
            throw new AqlmException("local Spark never schedules a task that asks for a GPU (it would hang): drop"
                    + " spark.task.resource.gpu.amount for local runs and choose the GPU with --device N");
        }
        if (local) {
            // Nothing outside this process talks to a local driver: stay on the loopback interface.
            sparkConf.setIfMissing("spark.driver.host", "127.0.0.1");
            sparkConf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            sparkConf.setIfMissing("spark.ui.enabled", "false");
            sparkConf.setIfMissing("spark.sql.shuffle.partitions", "4");
        }
        SparkSession session = SparkSession.builder().config(sparkConf).getOrCreate();
        DjlCudaProbeLogging.silence(); // after Spark has set up its logging, which would replace the setting
        try {
            StandaloneCapacity.requireAWorkerThatFits(session.sparkContext());
        } catch (RuntimeException e) {
            session.stop();
            throw e;
        }
        return session;
    }

    /**
     * The masters Spark ships: local[N], spark://host:port, yarn, k8s://url. Anything else would reach Spark's own
     * parser, which logs a stack trace at ERROR before failing.
     */
    private static String requireKnownMaster(String master) {
        if (KNOWN_MASTER.matcher(master).matches()) {
            return master;
        }
        throw new AqlmException("--master '" + master + "' is not a Spark master: use local[N] (or local[*]),"
                + " spark://host:7077, yarn or k8s://https://host:port");
    }

    public static boolean isLocal(SparkSession spark) {
        return spark.sparkContext().isLocal();
    }

    /** On Ctrl-C: Spark logs every job the shutdown aborts with a stack trace; one line has said it all. */
    public static void silenceLogging() {
        org.apache.logging.log4j.core.config.Configurator.setAllLevels(
                org.apache.logging.log4j.LogManager.ROOT_LOGGER_NAME, org.apache.logging.log4j.Level.OFF);
    }
}
