package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.ModelConfig;

/**
 * The static KV cache on the device, allocated once: per layer a {@link KvCacheView} (a full-precision cache
 * [slot][position][kvHeads · headDim] in the activation type, or packed codes plus a residual ring, as
 * {@link DeviceKvLayout} sizes them). Slot {@code usableSlots} is the scratch slot that padded rows of a decode bucket
 * write into; no sequence ever owns it.
 */
final class DeviceKvCache {
    private final KvCacheView[] layers;
    private final DeviceKvLayout layout;

    private DeviceKvCache(KvCacheView[] layers, DeviceKvLayout layout) {
        this.layers = layers;
        this.layout = layout;
    }

    KvCacheView layer(int l) {
        return layers[l];
    }

    DeviceKvLayout layout() {
        return layout;
    }

    KvCacheFormat format() {
        return layout.format();
    }

    int usableSlots() {
        return layout.slots();
    }

    int context() {
        return layout.context();
    }

    int scratchSlot() {
        return layout.slots();
    }

    static DeviceKvCache allocate(DeviceMemoryPool pool, ModelConfig config, DeviceKvLayout layout) {
        KvCacheView[] views = new KvCacheView[config.layerCount()];
        try {
            for (int l = 0; l < views.length; l++) {
                String what = "KV cache layer " + l;
                DeviceAddress keys = pool.allocate(layout.ringBytes(), what + (layout.format().quantized()
                        ? " residual keys" : " keys")).address();
                DeviceAddress values = pool.allocate(layout.ringBytes(), what + (layout.format().quantized()
                        ? " residual values" : " values")).address();
                if (!layout.format().quantized()) {
                    views[l] = new KvCacheView(keys, values, DeviceAddress.NULL, DeviceAddress.NULL,
                            DeviceAddress.NULL, DeviceAddress.NULL, layout);
                    continue;
                }
                views[l] = new KvCacheView(keys, values,
                        pool.allocate(layout.keyCodeBytes(), what + " key codes").address(),
                        pool.allocate(layout.keyParamBytes(), what + " key scales").address(),
                        pool.allocate(layout.valueCodeBytes(), what + " value codes").address(),
                        pool.allocate(layout.valueParamBytes(), what + " value scales").address(), layout);
            }
        } catch (CudaOutOfMemoryException e) {
            throw new CudaOutOfMemoryException(String.format("the %s KV cache for %d slots x %d positions needs %.2f"
                    + " GiB and does not fit next to the model: %s", layout.format().describe(), layout.slots(),
                    layout.context(), layout.bytes(config.layerCount()) / 0x1p30, e.getMessage()), e.requestedBytes());
        }
        return new DeviceKvCache(views, layout);
    }

    /**
     * The context length to serve: the requested one, or (0) the model's maximum if the cache of {@code slots} slots
     * fits in {@code availableBytes}, else the longest multiple of 64 that does.
     */
    static int chooseContext(ModelConfig config, KvCacheFormat format, int slots, int passRows, int requested,
                             long availableBytes) {
        if (requested > 0) {
            return requested;
        }
        int maximum = config.maxPositionEmbeddings();
        if (fits(config, format, slots, maximum, passRows, availableBytes)) {
            return maximum;
        }
        int low = 0;  // multiples of 64 that fit: [.., low], that do not: [high, ..]
        int high = maximum / 64 + 1;
        while (high - low > 1) {
            int middle = (low + high) >>> 1;
            if (fits(config, format, slots, middle * 64, passRows, availableBytes)) {
                low = middle;
            } else {
                high = middle;
            }
        }
        int context = low * 64;
        if (context < Math.min(256, maximum)) {
            throw new AqlmException(String.format("only %d positions per slot fit the %s KV cache of %d slots in the"
                    + " %.2f GiB left after the weights; lower --slots or --kv-cache-bits", context, format.describe(),
                    slots, availableBytes / 0x1p30));
        }
        return context;
    }

    private static boolean fits(ModelConfig config, KvCacheFormat format, int slots, int context, int passRows,
                                long availableBytes) {
        return DeviceKvLayout.of(format, config, slots, context, passRows).bytes(config.layerCount())
                <= availableBytes;
    }
}
