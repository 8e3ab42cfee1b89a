package dev.aqlm.runtime.engine;

import java.util.Locale;

/**
 * How many KV-cache slots of a context length fit in the memory left for the cache, and the load-log line that says
 * so. {@code --slots auto} takes {@link #autoSlots}; a given slot count is only reported against the same figures.
 *
 * @param format          the cache format
 * @param shape           the model's cache dimensions
 * @param context         positions per slot
 * @param activationBytes bytes of a full-precision cache value on this backend (fp32 on the CPU)
 * @param freeBytes       memory the cache may take
 * @param residualPositions positions per slot a quantized cache keeps in the activation type (its ring)
 */
public record SlotCapacity(KvCacheFormat format, KvCacheShape shape, int context, int activationBytes,
                           long freeBytes, int residualPositions) {
    /** The CPU cache's ring: {@link KvCacheFormat#residualCapacity()}. */
    public SlotCapacity(KvCacheFormat format, KvCacheShape shape, int context, int activationBytes, long freeBytes) {
        this(format, shape, context, activationBytes, freeBytes, format.residualCapacity());
    }

    /** Share of the free memory {@code --slots auto} gives the cache; the rest absorbs activations and the JIT. */
    static final double AUTO_SHARE = 0.8;
    /** Upper bound of {@code --slots auto}: past this the CPU backend's batch no longer gains throughput. */
    public static final int AUTO_MAX_SLOTS = 256;

    /** Free memory of this JVM's heap for the CPU backend, once the weights are resident. */
    public static long freeHeapBytes() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }

    public long bytesPerSlot() {
        return format.bytesPerSlot(shape, context, activationBytes, residualPositions);
    }

    public long slotsThatFit() {
        return slotsThatFit(freeBytes);
    }

    private long slotsThatFit(long bytes) {
        return Math.max(0, bytes / bytesPerSlot());
    }

    /** Slots for {@code --slots auto}, or an error naming what to lower when not even one fits. */
    public int autoSlots() {
        long fit = slotsThatFit((long) (freeBytes * AUTO_SHARE));
        if (fit < 1) {
            throw new InvalidRequestException(String.format(Locale.ROOT, "--slots auto: one slot of %d positions"
                    + " with a %s KV cache needs %s, but only %s is free; lower --context-length or --kv-cache-bits",
                    context, format.describe(), gib(bytesPerSlot()), gib((long) (freeBytes * AUTO_SHARE))));
        }
        return (int) Math.min(fit, AUTO_MAX_SLOTS);
    }

    /** "KV cache 4-bit (group 64, residual 128): 36.0 KiB per token; 8 slots x 2048 positions take 1.2 GiB; ..." */
    public String describe(int slots) {
        return String.format(Locale.ROOT, "KV cache %s: %.1f KiB per token; %d slots x %d positions take %s;"
                        + " %d sequences of %d positions fit in the %s free", format.describe(),
                format.bytesPerToken(shape, activationBytes) / 1024, slots, context, gib(slots * bytesPerSlot()),
                slotsThatFit(), context, gib(freeBytes));
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 0x1p30);
    }
}
