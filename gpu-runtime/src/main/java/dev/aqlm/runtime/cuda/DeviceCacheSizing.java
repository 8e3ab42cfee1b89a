package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.KvCacheShape;
import dev.aqlm.runtime.engine.SlotCapacity;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.ModelConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slots and context length of the device KV cache, from the memory each device has left once the weights are
 * resident (shards sharing a device share it): a given slot count gets the requested context or the longest that
 * fits; {@code --slots auto} gets as many slots of the requested (or the model's) context as fit, by
 * {@link SlotCapacity}'s rule. Logs, per shard, what the cache weighs per token and how many sequences fit.
 */
final class DeviceCacheSizing {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCacheSizing.class);

    record Choice(int slots, int context) {
    }

    private DeviceCacheSizing() {
    }

    /** Rows of an eager pass (prompt tokens plus a full decode bucket) for {@code slots} slots. */
    static int passRows(EngineOptions options, int slots) {
        return Math.max(options.maxPrefillTokens(), 64) + new GraphBuckets(slots).largest();
    }

    static Choice choose(EngineOptions options, List<DeviceShard> shards, int ropePositions, long reserveBytes) {
        KvCacheFormat format = options.kvCache();
        long[] free = new long[shards.size()];
        for (int i = 0; i < shards.size(); i++) {
            DeviceShard shard = shards.get(i);
            format.requireFits(shard.model.config());
            long onDevice = shards.stream().filter(s -> s.context == shard.context).count();
            shard.context.makeCurrent();
            free[i] = Math.max(0, shard.context.memoryInfo()[0] - reserveBytes) / onDevice;
        }
        int slots;
        int context;
        if (options.autoSlots()) {
            context = options.effectiveContextLength(Math.min(shards.get(0).model.config().maxPositionEmbeddings(),
                    ropePositions));
            // The ring holds up to 128 rows of a pass, and passes grow with the slots: size it for the most auto takes.
            int ring = DeviceKvLayout.ringPositions(format, context, passRows(options, SlotCapacity.AUTO_MAX_SLOTS));
            slots = SlotCapacity.AUTO_MAX_SLOTS;
            for (int i = 0; i < shards.size(); i++) {
                SlotCapacity capacity = capacity(format, shards.get(i).model.config(), context, free[i], ring);
                slots = Math.min(slots, capacity.autoSlots());
            }
        } else {
            slots = options.slots();
            context = Integer.MAX_VALUE;
            for (int i = 0; i < shards.size(); i++) {
                context = Math.min(context, DeviceKvCache.chooseContext(shards.get(i).model.config(), format, slots,
                        passRows(options, slots), options.contextLength(), free[i]));
            }
        }
        if (context > ropePositions) {
            throw new IllegalArgumentException("context length " + context + " exceeds the RoPE table of "
                    + ropePositions + " positions");
        }
        int ring = DeviceKvLayout.ringPositions(format, context, passRows(options, slots));
        for (int i = 0; i < shards.size(); i++) {
            LOG.info("{}{}", shards.size() > 1 ? "shard " + i + ": " : "",
                    capacity(format, shards.get(i).model.config(), context, free[i], ring).describe(slots));
        }
        return new Choice(slots, context);
    }

    /** What fits in {@code free} besides the scratch slot every device cache has. */
    private static SlotCapacity capacity(KvCacheFormat format, ModelConfig config, int context, long free, int ring) {
        KvCacheShape shape = KvCacheShape.of(config);
        long scratch = format.bytesPerSlot(shape, context, DeviceKvLayout.ACTIVATION_BYTES, ring);
        return new SlotCapacity(format, shape, context, DeviceKvLayout.ACTIVATION_BYTES, Math.max(0, free - scratch),
                ring);
    }
}
