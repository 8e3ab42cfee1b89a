package dev.aqlm.runtime.engine;

/**
 * How to host a model: which backend, how many concurrent sequences (KV slots), how long each may grow.
 *
 * @param backend          where to run; AUTO picks CUDA when a GPU and the kernels are usable, else the CPU
 * @param deviceOrdinal    CUDA device ordinal (PCI bus order) for the CUDA backend
 * @param slots            sequences decoded together (continuous batching keeps them full)
 * @param contextLength    positions per slot, prompt plus completion; 0 = the model's max_position_embeddings
 * @param cpuThreads       threads of the CPU backend; 0 = all available processors
 * @param cudaGraphs       capture the decode step as a CUDA graph (false runs the same kernels eagerly)
 * @param maxPrefillTokens prompt tokens processed per step alongside decoding, bounding a step's latency and memory
 * @param kvCache          how the KV cache stores keys and values (16-bit, or 8/4/2-bit groups)
 */
public record EngineOptions(BackendKind backend, int deviceOrdinal, int slots, int contextLength, int cpuThreads,
                            boolean cudaGraphs, int maxPrefillTokens, KvCacheFormat kvCache) {

    public enum BackendKind { AUTO, CPU, CUDA }

    /** The most threads a ForkJoinPool takes; far more than any machine has cores. */
    public static final int MAX_CPU_THREADS = 0x7fff;

    /** {@code --slots auto}: as many slots as the memory left after loading holds (see {@link SlotCapacity}). */
    public static final int AUTO_SLOTS = 0;

    public static final EngineOptions DEFAULTS = new EngineOptions(BackendKind.AUTO, 0, 8, 0, 0, true, 512);

    /** Options with today's 16-bit KV cache. */
    public EngineOptions(BackendKind backend, int deviceOrdinal, int slots, int contextLength, int cpuThreads,
                         boolean cudaGraphs, int maxPrefillTokens) {
        this(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                KvCacheFormat.FULL_PRECISION);
    }

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
    }

    public static EngineOptions cpu() {
        return DEFAULTS.withBackend(BackendKind.CPU);
    }

    public EngineOptions withBackend(BackendKind value) {
        return new EngineOptions(value, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs,
                maxPrefillTokens, kvCache);
    }

    public EngineOptions withDeviceOrdinal(int value) {
        return new EngineOptions(backend, value, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                kvCache);
    }

    public EngineOptions withSlots(int value) {
        return new EngineOptions(backend, deviceOrdinal, value, contextLength, cpuThreads, cudaGraphs,
                maxPrefillTokens, kvCache);
    }

    public EngineOptions withContextLength(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, value, cpuThreads, cudaGraphs, maxPrefillTokens,
                kvCache);
    }

    public EngineOptions withCpuThreads(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, value, cudaGraphs, maxPrefillTokens,
                kvCache);
    }

    public EngineOptions withCudaGraphs(boolean value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, value, maxPrefillTokens,
                kvCache);
    }

    public EngineOptions withMaxPrefillTokens(int value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, value, kvCache);
    }

    public EngineOptions withKvCache(KvCacheFormat value) {
        return new EngineOptions(backend, deviceOrdinal, slots, contextLength, cpuThreads, cudaGraphs, maxPrefillTokens,
                value);
    }

    public boolean autoSlots() {
        return slots == AUTO_SLOTS;
    }

    /** The context length actually used for a model whose config allows {@code modelMaximum} positions. */
    public int effectiveContextLength(int modelMaximum) {
        return contextLength == 0 ? modelMaximum : contextLength;
    }

    public int effectiveCpuThreads() {
        return cpuThreads > 0 ? cpuThreads : Runtime.getRuntime().availableProcessors();
    }
}
