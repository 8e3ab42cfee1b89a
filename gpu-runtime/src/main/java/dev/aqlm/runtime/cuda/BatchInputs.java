package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.nio.ByteBuffer;
import java.util.List;

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

    /** Writes a pass's inputs into {@code buffer} (little-endian, at least {@link #bytes()} long). */
    public void write(ByteBuffer buffer, ForwardPlan.Pass pass, List<SequenceChunk> chunks) {
        if (pass.rows() > capacity) {
            throw new IllegalArgumentException(pass.rows() + " rows exceed the capacity of " + capacity);
        }
        putInts(buffer, Section.TOKENS, pass.tokens());
        putInts(buffer, Section.SLOTS, pass.slots());
        putInts(buffer, Section.POSITIONS, pass.positions());
        putInts(buffer, Section.DECODE_ROWS, pass.decodeRows());
        putInts(buffer, Section.LOGIT_ROWS, pass.rowsNeedingLogits());
        putInts(buffer, Section.TARGETS, pass.targetTokens());
        int at = (int) offset(Section.PREFILL_TILES);
        for (ForwardPlan.PrefillTile tile : pass.prefillTiles()) {
            buffer.putInt(at, tile.row()).putInt(at + 4, tile.count()).putInt(at + 8, tile.slot())
                    .putInt(at + 12, tile.startPosition());
            at += 16;
        }
        at = (int) offset(Section.SAMPLING);
        for (int i = 0; i < pass.sampleRows().length; i++, at += SamplingRows.BYTES) {
            SequenceChunk chunk = chunks.get(pass.sampleChunks()[i]);
            SamplingRows.put(buffer, at, ((ChunkOutput.NextToken) chunk.output()).sampling(), chunk.endPosition());
        }
    }

    private void putInts(ByteBuffer buffer, Section section, int[] values) {
        int at = (int) offset(section);
        for (int value : values) {
            buffer.putInt(at, value);
            at += 4;
        }
    }
}
