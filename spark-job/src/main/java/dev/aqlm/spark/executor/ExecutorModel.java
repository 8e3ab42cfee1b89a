package dev.aqlm.spark.executor;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.spark.session.DjlCudaProbeLogging;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one model of this executor JVM, loaded lazily by the first task that needs it and kept for every later task and
 * job, keyed by (model, engine options, GPU ordinals): a task asking for another key closes the old model first, so a
 * JVM never holds two. Tasks take turns (a fair semaphore): the model's KV slots serve one scheduler at a time, and
 * with one GPU task per executor there is no waiting anyway. Loading is under the same guard, so concurrent first
 * tasks never load twice.
 */
public final class ExecutorModel {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModel.class);
    private static final Semaphore TURN = new Semaphore(1, true);
    private static final AtomicInteger LOADS = new AtomicInteger();

    private static Key loadedKey;
    private static LanguageModel loaded;
    private static String loggedDevice;

    private ExecutorModel() {
    }

    private record Key(ModelDescriptor descriptor, List<Integer> ordinals) {
    }

    /**
     * Waits for this task's turn, loads the model if this JVM has not loaded it (for this GPU), and returns it.
     * Close the lease when the task is done with the model (ModelTasks does so at task completion).
     */
    public static ModelLease acquire(ModelDescriptor descriptor, DeviceAssignment device) {
        try {
            TURN.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task interrupted while waiting for the executor's model", e);
        }
        try {
            logDeviceOnce(device);
            Key key = new Key(descriptor, device.ordinals());
            if (!key.equals(loadedKey)) {
                replace(key, device);
            }
            return new ModelLease(loaded, device, TURN::release);
        } catch (Throwable t) {
            TURN.release();
            PoisonedProcessGuard.haltIfPoisoned(t);
            throw t;
        }
    }

    /** How many times this JVM loaded a model (for logs and tests: one per executor is the goal). */
    public static int loads() {
        return LOADS.get();
    }

    private static void replace(Key key, DeviceAssignment device) {
        if (loaded != null) {
            LOG.info("executor {}: closing model {} (devices {}) to load {} (devices {})", executorId(),
                    loadedKey.descriptor(), loadedKey.ordinals(), key.descriptor(), key.ordinals());
            loaded.close();
            loaded = null;
            loadedKey = null;
        }
        DjlCudaProbeLogging.silence();
        long start = System.nanoTime();
        Path directory = ModelLocation.resolve(key.descriptor().model());
        EngineOptions options = withExecutorThreads(key.descriptor().engineOptions(key.ordinals()));
        LanguageModel model = LanguageModel.load(directory, options);
        loaded = model;
        loadedKey = key;
        LOG.info("executor {}: loaded model {} ({}) on {} in {} s (load #{} in this JVM)", executorId(),
                key.descriptor().model(), model.config().describe(), model.backend().description(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9), LOADS.incrementAndGet());
    }

    /**
     * The CPU backend's "all cores" means this executor's cores, not the host's: several executors may share a host,
     * and each would otherwise start a thread per core of the machine.
     */
    private static EngineOptions withExecutorThreads(EngineOptions options) {
        OptionalInt cores = ExecutorCores.current();
        return options.cpuThreads() > 0 || cores.isEmpty() ? options : options.withCpuThreads(Math.max(1, cores.getAsInt()));
    }

    private static void logDeviceOnce(DeviceAssignment device) {
        String description = device.describe();
        if (!Objects.equals(description, loggedDevice)) {
            loggedDevice = description;
            LOG.info("executor {}: GPU mapping: {}", executorId(), description);
        }
    }

    static String executorId() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "(no Spark)" : env.executorId();
    }
}
