package dev.aqlm.spark.executor;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the executor JVM when an engine error poisoned process-wide state ({@link AqlmException#poisonsProcess()}:
 * a sticky CUDA error leaves the context unusable for every later task in this JVM). Spark would otherwise retry the
 * task on the same broken executor until the job fails; after a halt the cluster manager starts a fresh executor and
 * the task's retry runs there. In local mode the executor is the driver, so the job ends (rerun it with --resume).
 */
public final class PoisonedProcessGuard {
    /** sysexits' EX_SOFTWARE: the Worker logs "exited with code 70". */
    public static final int EXIT_CODE = 70;
    private static final Logger LOG = LoggerFactory.getLogger(PoisonedProcessGuard.class);

    private PoisonedProcessGuard() {
    }

    /** True when {@code failure} or any of its causes says it poisoned the process. */
    public static boolean poisons(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof AqlmException aqlm && aqlm.poisonsProcess()) {
                return true;
            }
        }
        return false;
    }

    /** Halts the JVM (no shutdown hooks: they could touch the broken context) if {@code failure} poisoned it. */
    public static void haltIfPoisoned(Throwable failure) {
        if (!poisons(failure)) {
            return;
        }
        LOG.error("the engine's device state is poisoned ({}); ending this executor JVM with exit code {} so the"
                + " cluster manager replaces it and Spark retries the task elsewhere", failure.toString(), EXIT_CODE, failure);
        System.err.flush();
        System.out.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
    }
}
