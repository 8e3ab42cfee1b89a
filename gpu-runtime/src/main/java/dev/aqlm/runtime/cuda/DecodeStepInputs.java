package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The per-step inputs of a decode step (token, slot, position and sampling parameters per row), laid out for the
 * largest bucket so that every captured graph reads them at fixed device addresses. Rows past the step's sequences
 * (bucket padding) decode token 0 at position 0 of the scratch slot, greedily: harmless, and never read back.
 */
final class DecodeStepInputs {
    private final int capacity;

    public DecodeStepInputs(int capacity) {
        this.capacity = capacity;
    }

    public long tokensOffset() {
        return 0;
    }

    public long slotsOffset() {
        return 4L * capacity;
    }

    public long positionsOffset() {
        return 8L * capacity;
    }

    public long samplingOffset() {
        return (12L * capacity + 15) & ~15L;
    }

    public long bytes() {
        return samplingOffset() + (long) SamplingRows.BYTES * capacity;
    }

    /** Writes the step's rows, then padding up to {@code bucket} rows. */
    public void write(ByteBuffer buffer, List<SequenceChunk> steps, int bucket, int scratchSlot) {
        if (steps.size() > bucket || bucket > capacity) {
            throw new IllegalArgumentException(steps.size() + " decode rows in a bucket of " + bucket
                    + " (capacity " + capacity + ")");
        }
        for (int row = 0; row < bucket; row++) {
            boolean real = row < steps.size();
            SequenceChunk step = real ? steps.get(row) : null;
            buffer.putInt((int) tokensOffset() + 4 * row, real ? step.tokens()[0] : 0);
            buffer.putInt((int) slotsOffset() + 4 * row, real ? step.slot() : scratchSlot);
            buffer.putInt((int) positionsOffset() + 4 * row, real ? step.startPosition() : 0);
            SamplingParams params = real ? ((ChunkOutput.NextToken) step.output()).sampling() : SamplingParams.GREEDY;
            SamplingRows.put(buffer, (int) samplingOffset() + SamplingRows.BYTES * row, params,
                    real ? step.endPosition() : 1);
        }
    }
}
