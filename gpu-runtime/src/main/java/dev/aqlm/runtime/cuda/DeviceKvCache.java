package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.ModelConfig;

/**
 * The static KV cache on the device: per layer a key and a value buffer [slot][position][kvHeads · headDim] in the
 * activation type, allocated once. Slot {@code usableSlots} is the scratch slot that padded rows of a decode bucket
 * write into; no sequence ever owns it.
 */
record DeviceKvCache(DeviceAddress[] keys, DeviceAddress[] values, int usableSlots, int context, int kvDim) {

    public int scratchSlot() {
        return usableSlots;
    }

    /** Bytes for {@code slots} usable slots (plus scratch) of {@code context} positions. */
    public static long bytes(ModelConfig config, int slots, int context) {
        return 2L * config.layerCount() * (slots + 1) * context * config.kvDim() * 2;
    }

    public static DeviceKvCache allocate(DeviceMemoryPool pool, ModelConfig config, int slots, int context) {
        long layerBytes = 2L * (slots + 1) * context * config.kvDim();
        DeviceAddress[] keys = new DeviceAddress[config.layerCount()];
        DeviceAddress[] values = new DeviceAddress[config.layerCount()];
        try {
            for (int l = 0; l < keys.length; l++) {
                keys[l] = pool.allocate(layerBytes, "KV cache keys, layer " + l).address();
                values[l] = pool.allocate(layerBytes, "KV cache values, layer " + l).address();
            }
        } catch (CudaOutOfMemoryException e) {
            throw new CudaOutOfMemoryException(String.format("the KV cache for %d slots x %d positions needs %.2f GiB"
                    + " and does not fit next to the model: %s", slots, context,
                    bytes(config, slots, context) / 0x1p30, e.getMessage()), e.requestedBytes());
        }
        return new DeviceKvCache(keys, values, slots, context, config.kvDim());
    }

    /**
     * The context length to serve: the requested one, or (0) the model's maximum if the cache fits in
     * {@code availableBytes}, else the longest multiple of 64 that does.
     */
    public static int chooseContext(ModelConfig config, int slots, int requested, long availableBytes) {
        if (requested > 0) {
            return requested;
        }
        long perPosition = bytes(config, slots, 1);
        long fitting = Math.max(0, availableBytes) / perPosition;
        int context = (int) Math.min(config.maxPositionEmbeddings(), fitting / 64 * 64);
        if (context < Math.min(256, config.maxPositionEmbeddings())) {
            throw new AqlmException(String.format("only %d positions per slot fit the KV cache of %d slots in the"
                    + " %.2f GiB left after the weights; lower --slots", fitting, slots, availableBytes / 0x1p30));
        }
        return context;
    }
}
