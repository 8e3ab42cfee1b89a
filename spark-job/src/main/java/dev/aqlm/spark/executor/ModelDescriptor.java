package dev.aqlm.spark.executor;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.parallel.TensorParallelException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
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
    private final int tensorParallel;
    private final ArrayList<Integer> configuredDevices;
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
        this.tensorParallel = options.tensorParallel();
        this.configuredDevices = new ArrayList<>(options.shardDevices());
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

    /** The shards' device ordinals to use when the task has no GPU from Spark (--devices, or from --device on). */
    public List<Integer> configuredDevices() {
        return List.copyOf(configuredDevices);
    }

    public int tensorParallel() {
        return tensorParallel;
    }

    /**
     * The options for a task on these devices, one per tensor-parallel shard: a task whose GPU count differs from
     * --tensor-parallel cannot host the model, and is told which Spark settings make them agree.
     */
    public EngineOptions engineOptions(List<Integer> ordinals) {
        if (ordinals.size() != tensorParallel) {
            throw new TensorParallelException("the task has " + ordinals.size() + " GPU(s) " + ordinals + " but the model"
                    + " is split over --tensor-parallel " + tensorParallel + "; set spark.executor.resource.gpu.amount"
                    + " and spark.task.resource.gpu.amount to " + tensorParallel
                    + " (see conf/spark-defaults.gpu-tp.conf)");
        }
        EngineOptions options = new EngineOptions(EngineOptions.BackendKind.valueOf(backend), ordinals.get(0), slots,
                contextLength, cpuThreads, cudaGraphs, maxPrefillTokens)
                .withKvCache(new KvCacheFormat(kvCacheBits, kvGroupSize, kvResidualLength));
        return tensorParallel == 1 ? options : options.withTensorParallel(tensorParallel).withDevices(ordinals);
    }

    public EngineOptions engineOptions() {
        return engineOptions(configuredDevices);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelDescriptor that && model.equals(that.model) && backend.equals(that.backend)
                && configuredDevice == that.configuredDevice && slots == that.slots
                && contextLength == that.contextLength && cpuThreads == that.cpuThreads
                && cudaGraphs == that.cudaGraphs && maxPrefillTokens == that.maxPrefillTokens
                && tensorParallel == that.tensorParallel && configuredDevices.equals(that.configuredDevices)
                && kvCacheBits == that.kvCacheBits && kvGroupSize == that.kvGroupSize
                && kvResidualLength == that.kvResidualLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, backend, configuredDevice, slots, contextLength, cpuThreads, cudaGraphs,
                maxPrefillTokens, tensorParallel, configuredDevices, kvCacheBits, kvGroupSize, kvResidualLength);
    }

    @Override
    public String toString() {
        return model + " [" + engineOptions() + "]";
    }
}
