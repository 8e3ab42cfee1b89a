package dev.aqlm.spark.session;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * DJL's tokenizers probe for a CUDA runtime whenever they load, and warn "Failed to detect GPU count" on every machine
 * that has a CUDA toolkit but no driver, several times per JVM. The tokenizer runs on the CPU either way, and the
 * engine reports which backend it uses. conf/log4j2.properties already keeps DJL at error; JVMs that run with
 * Spark's default logging (executors, a spark-submit driver) get the same for that one logger here. Spark's
 * logging backend is log4j 2, so its API is at hand wherever Spark is.
 */
public final class DjlCudaProbeLogging {
    private static final String PROBE_LOGGER = "ai.djl.util.cuda.CudaUtils";

    private DjlCudaProbeLogging() {
    }

    public static void silence() {
        Configurator.setLevel(PROBE_LOGGER, Level.ERROR);
    }
}
