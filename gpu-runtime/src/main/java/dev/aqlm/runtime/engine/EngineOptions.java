package dev.aqlm.runtime.engine;

import java.util.List;

/**
 * How to host a model: which backend, how many concurrent sequences (KV slots), how long each may grow.
 *
 * @param backend          where to run; AUTO picks CUDA when a GPU and the kernels are usable, else the CPU
 * @param deviceOrdinal    CUDA device ordinal (PCI bus order) for the CUDA backend
 * @param slots            sequences decoded together (continuous batching keeps them full); {@link #AUTO_SLOTS} = as
 *                         many as the memory left after loading holds
 * @param contextLength    positions per slot, prompt plus completion; 0 = the model's max_position_embeddings
 * @param cpuThreads       threads of the CPU backend; 0 = all available processors
 * @param cudaGraphs       capture the decode step as a CUDA graph (false runs the same kernels eagerly)
 * @param maxPrefillTokens prompt tokens processed per step alongside decoding, bounding a step's latency and memory
 * @param tensorParallel   shards the model is split over (vLLM's tensor_parallel_size); 1 = unsharded
 * @param devices          CUDA ordinals of the shards, one per shard (the same ordinal twice puts two shards on one
 *                         GPU); empty = {@code tensorParallel} consecutive ordinals from {@code deviceOrdinal}
 * @param kvCache          how the KV cache stores keys and values (16-bit, or 8/4/2-bit groups)
 */
public record EngineOptions(BackendKind backend, int deviceOrdinal, int slots, int contextLength, int cpuThreads,
                            boolean cudaGraphs, int maxPrefillTokens, int tensorParallel, List<Integer> devices,
                            KvCacheFormat kvCache) {

    public enum BackendKind { AUTO, CPU, CUDA }

    /** The most threads a ForkJoinPool takes; far more than any machine has cores. */
    public static final int MAX_CPU_THREADS = 0x7fff;

    /** The defaults, stated once (the CLI's --slots and --max-prefill-tokens show these). */
    public static final int DEFAULT_SLOTS = 8;
    public static final int DEFAULT_MAX_PREFILL_TOKENS = 512;

    /** {@code --slots auto}: as many slots as the memory left after loading holds (see {@link SlotCapacity}). */
    public static final int AUTO_SLOTS = 0;

    public static final EngineOptions DEFAULTS = new EngineOptions(BackendKind.AUTO, 0, DEFAULT_SLOTS, 0, 0, true,
            DEFAULT_MAX_PREFILL_TOKENS);

    public EngineOptions {
        if (slots < AUTO_SLOTS) {
            throw new InvalidRequestException("slots must be at least 1 (or 0 for auto), got " + slots);
        }
        if (kvCache == null) {
            throw new InvalidRequestException("the KV cache format is missing; use KvCacheFormat.FULL_PRECISION");
        }
        if (contextLength < 0) {
            throw new InvalidRequestException("context length must be positive (or 0 for the model's), got " + contextLength);
        }
        if (cpuThreads < 0 || cpuThreads > MAX_CPU_THREADS) {
            throw new InvalidRequestException("CPU threads (--threads) must be 0 (all cores) to " + MAX_CPU_THREADS
                    + ", got " + cpuThreads);
        }
        if (maxPrefillTokens < 1) {
            throw new InvalidRequestException("max prefill tokens must be at least 1, got " + maxPrefillTokens);
        }
        if (tensorParallel < 1) {
            throw new InvalidRequestException("--tensor-parallel must be at least 1, got " + tensorParallel);
        }
        devices = List.copyOf(devices);
        if (!devices.isEmpty() && devices.size() != tensorParallel) {
            throw new InvalidRequestException("--devices lists " + devices.size() + " device(s) " + devices
                    + " for --tensor-parallel " + tensorParallel + "; give one ordinal per shard (repeat one to put"
                    + " several shards on a GPU)");
        }
        if (devices.stream().anyMatch(d -> d < 0)) {
            throw new InvalidRequestException("--devices must list CUDA ordinals >= 0, got " + devices);
        }
        if (!devices.isEmpty() && devices.get(0) != deviceOrdinal) {
            throw new InvalidRequestException("--device " + deviceOrdinal + " and --devices " + devices
                    + " disagree on the first shard's GPU; give only --devices");
        }
    }

    /** Unsharded options with the 16-bit KV cache, as before tensor parallelism and cache quantization existed. */
    public EngineOptions(BackendKind backend, int deviceOrdinal, int slots, int contextLength, int cpuThreads,
                         boolean cudaGraphs, int maxPrefillTokens) {
        this(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens, 1, List.of(),
                KvCacheFormat.FULL_PRECISION);
    }

    public static EngineOptions cpu() {
        return DEFAULTS.withBackend(BackendKind.CPU);
    }

    public EngineOptions withBackend(BackendKind value) {
        return new EngineOptions(value, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                tensorParallel, devices, kvCache);
    }

    /** The first shard's ordinal; an explicit device list is dropped (the shards take consecutive ordinals). */
    public EngineOptions withDeviceOrdinal(int value) {
        return new EngineOptions(backend, value, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                tensorParallel, List.of(), kvCache);
    }

    public EngineOptions withSlots(int value) {
        return new EngineOptions(backend, deviceOrdinal, value, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                tensorParallel, devices, kvCache);
    }

    public EngineOptions withContextLength(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, value, cpuThreads, cudaGraphs, maxPrefillTokens,
                tensorParallel, devices, kvCache);
    }

    public EngineOptions withCpuThreads(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, value, cudaGraphs, maxPrefillTokens,
                tensorParallel, devices, kvCache);
    }

    public EngineOptions withCudaGraphs(boolean value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, value, maxPrefillTokens,
                tensorParallel, devices, kvCache);
    }

    public EngineOptions withMaxPrefillTokens(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, value,
                tensorParallel, devices, kvCache);
    }

    public EngineOptions withTensorParallel(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                value, devices, kvCache);
    }

    /** One ordinal per shard; the first becomes {@link #deviceOrdinal()}, so unsharded CUDA opens it too. */
    public EngineOptions withDevices(List<Integer> value) {
        return new EngineOptions(backend, value.isEmpty() ? deviceOrdinal : value.get(0), slots, contextLength,
                cpuThreads, cudaGraphs, maxPrefillTokens, tensorParallel, value, kvCache);
    }

    public EngineOptions withKvCache(KvCacheFormat value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                tensorParallel, devices, value);
    }

    public boolean autoSlots() {
        return slots == AUTO_SLOTS;
    }

    /** The CUDA ordinal of each shard, in rank order. */
    public List<Integer> shardDevices() {
        return devices.isEmpty()
                ? java.util.stream.IntStream.range(deviceOrdinal, deviceOrdinal + tensorParallel).boxed().toList()
                : devices;
    }

    /** The context length actually used for a model whose config allows {@code modelMaximum} positions. */
    public int effectiveContextLength(int modelMaximum) {
        return contextLength == 0 ? modelMaximum : contextLength;
    }

    public int effectiveCpuThreads() {
        return cpuThreads > 0 ? cpuThreads : Runtime.getRuntime().availableProcessors();
    }
}
