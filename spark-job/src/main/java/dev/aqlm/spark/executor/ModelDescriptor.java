package dev.aqlm.spark.executor;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import java.io.Serializable;
import java.util.Objects;

/**
 * What an executor needs to load the job's model: where it is and how to host it. Only this small descriptor travels
 * to the executors (in task closures), never the weights. A plain serializable class: Spark serializes task closures
 * with Java serialization, and records fail with its Kryo.
 */
public final class ModelDescriptor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final String backend;
    private final int configuredDevice;
    private final int slots;
    private final int contextLength;
    private final int cpuThreads;
    private final boolean cudaGraphs;
    private final int maxPrefillTokens;
    private final int kvCacheBits;
    private final int kvGroupSize;
    private final int kvResidualLength;

    /**
     * @param model   a checkpoint directory visible to every executor, or a Hub id pinned to a commit
     * @param options engine options; its device ordinal is used only where Spark assigns no GPU (local mode)
     */
    public ModelDescriptor(String model, EngineOptions options) {
        this.model = model;
        this.backend = options.backend().name();
        this.configuredDevice = options.deviceOrdinal();
        this.slots = options.slots();
        this.contextLength = options.contextLength();
        this.cpuThreads = options.cpuThreads();
        this.cudaGraphs = options.cudaGraphs();
        this.maxPrefillTokens = options.maxPrefillTokens();
        this.kvCacheBits = options.kvCache().bits();
        this.kvGroupSize = options.kvCache().groupSize();
        this.kvResidualLength = options.kvCache().residualLength();
    }

    public String model() {
        return model;
    }

    /** The device ordinal to use when the task has no GPU from Spark (local mode). */
    public int configuredDevice() {
        return configuredDevice;
    }

    public EngineOptions engineOptions(int deviceOrdinal) {
        return new EngineOptions(EngineOptions.BackendKind.valueOf(backend), deviceOrdinal, slots, contextLength,
                cpuThreads, cudaGraphs, maxPrefillTokens,
                new KvCacheFormat(kvCacheBits, kvGroupSize, kvResidualLength));
    }

    public EngineOptions engineOptions() {
        return engineOptions(configuredDevice);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelDescriptor that && model.equals(that.model) && backend.equals(that.backend)
                && configuredDevice == that.configuredDevice && slots == that.slots
                && contextLength == that.contextLength && cpuThreads == that.cpuThreads
                && cudaGraphs == that.cudaGraphs && maxPrefillTokens == that.maxPrefillTokens
                && kvCacheBits == that.kvCacheBits && kvGroupSize == that.kvGroupSize
                && kvResidualLength == that.kvResidualLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, backend, configuredDevice, slots, contextLength, cpuThreads, cudaGraphs,
                maxPrefillTokens, kvCacheBits, kvGroupSize, kvResidualLength);
    }

    @Override
    public String toString() {
        return model + " [" + engineOptions() + "]";
    }
}
