package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.List;

/**
 * Rewinds of the quantized device cache, kept as the CPU cache keeps them ({@code cpu.QuantizedKvCache#rewind}): per
 * slot, the positions already packed; a chunk starting before them (a slot reused for a shorter sequence, a shared
 * prefix's next member, a rolled-back draft) first gets positions [quantized_end(start), start) that were packed and
 * whose ring entries a later position has since taken (below written - ring) put back into the ring as the values
 * their codes stand for. A rolled-back draft never took such a place (the ring keeps room for a verification chunk),
 * so speculation restores nothing. Decode steps never start before what is packed, so they launch nothing here and
 * their graphs are unchanged.
 */
final class RingRestores {
    private final DeviceKvLayout layout;
    /** Per slot: positions [0, packed) are codes (what the kernels packed for the slot's latest chunks). */
    private final int[] packed;
    /** Per slot: one past the newest position written to the ring since the slot last rewound. */
    private final int[] written;

    RingRestores(DeviceKvLayout layout) {
        this.layout = layout;
        this.packed = new int[layout.slots() + 1];
        this.written = new int[layout.slots() + 1];
    }

    /** Before {@code chunks} run: restores what they will read from the ring, on every shard. */
    void before(List<SequenceChunk> chunks, List<DeviceShard> shards) {
        if (!layout.format().quantized()) {
            return;
        }
        for (SequenceChunk chunk : chunks) {
            int slot = chunk.slot();
            int kept = layout.quantizedEnd(chunk.startPosition());
            if (kept < packed[slot]) {
                int to = Math.min(Math.min(chunk.startPosition(), packed[slot]), written[slot] - layout.ring());
                if (kept < to) {
                    for (DeviceShard shard : shards) {
                        shard.context.makeCurrent();
                        shard.forward().restoreRing(slot, kept, to);
                    }
                }
                packed[slot] = kept;
            }
            written[slot] = Math.max(Math.min(written[slot], chunk.startPosition()), chunk.endPosition());
            packed[slot] = Math.max(packed[slot], layout.quantizedEnd(chunk.endPosition()));
        }
    }
}
