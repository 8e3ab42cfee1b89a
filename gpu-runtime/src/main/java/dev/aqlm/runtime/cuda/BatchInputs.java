package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;

/**
 * Everything an eager pass reads from the host, packed into one buffer (one copy to the device per pass). Sections
 * sit at fixed offsets computed from the row capacity, 16-byte aligned.
 */
final class BatchInputs {
    /** The sections and their bytes per row of capacity. */
    public enum Section {
        TOKENS(4), SLOTS(4), POSITIONS(4), DECODE_ROWS(4), LOGIT_ROWS(4), TARGETS(4), PREFILL_TILES(16),
        SAMPLING(SamplingRows.BYTES);

        final int bytesPerRow;

        Section(int bytesPerRow) {
            this.bytesPerRow = bytesPerRow;
        }
    }

    private final int capacity;
    private final long[] offsets = new long[Section.values().length];
    private final long bytes;

    public BatchInputs(int capacity) {
        this.capacity = capacity;
        long at = 0;
        for (Section section : Section.values()) {
            offsets[section.ordinal()] = at;
            at += ((long) section.bytesPerRow * capacity + 15) & ~15L;
        }
        this.bytes = at;
    }

    public int capacity() {
        return capacity;
    }

    public long bytes() {
        return bytes;
    }

    public long offset(Section section) {
        return offsets[section.ordinal()];
    }

    /**
     * Writes a pass's inputs into {@code buffer} (little-endian, at least {@link #bytes()} long): per row its token,
     * slot and position; the decode rows and prefill tiles; per output i its logits row at LOGIT_ROWS[i], and its
     * target token or sampling row at index i of TARGETS or SAMPLING (so the kernels of a run of outputs read and
     * write at one offset).
     */
    public void write(ByteBuffer buffer, ForwardPlan.Pass pass) {
        if (pass.rows() > capacity) {
            throw new IllegalArgumentException(pass.rows() + " rows exceed the capacity of " + capacity);
        }
        for (int r = 0; r < pass.rows(); r++) {
            ForwardPlan.InputRow row = pass.inputs().get(r);
            buffer.putInt(intAt(Section.TOKENS, r), row.token());
            buffer.putInt(intAt(Section.SLOTS, r), row.slot());
            buffer.putInt(intAt(Section.POSITIONS, r), row.position());
        }
        for (int i = 0; i < pass.decodeRows().length; i++) {
            buffer.putInt(intAt(Section.DECODE_ROWS, i), pass.decodeRows()[i]);
        }
        int at = (int) offset(Section.PREFILL_TILES);
        for (ForwardPlan.PrefillTile tile : pass.prefillTiles()) {
            buffer.putInt(at, tile.row()).putInt(at + 4, tile.count()).putInt(at + 8, tile.slot())
                    .putInt(at + 12, tile.startPosition());
            at += 16;
        }
        for (int i = 0; i < pass.outputs().size(); i++) {
            ForwardPlan.Output output = pass.outputs().get(i);
            buffer.putInt(intAt(Section.LOGIT_ROWS, i), output.row());
            if (output instanceof ForwardPlan.Sample sample) {
                SamplingRows.put(buffer, (int) offset(Section.SAMPLING) + SamplingRows.BYTES * i, sample.sampling(),
                        sample.position());
            } else if (output instanceof ForwardPlan.Target target) {
                buffer.putInt(intAt(Section.TARGETS, i), target.token());
            }
        }
    }

    private int intAt(Section section, int index) {
        return (int) offset(section) + 4 * index;
    }
}
