package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.List;

/** The tokens of a batch of chunks flattened into rows, each with its KV slot and position. */
final class BatchRows {
    final int count;
    final int[] tokens;
    final int[] slots;
    final int[] positions;
    /** Position of the first row of each row's chunk: earlier positions come from the cache. */
    final int[] chunkStartPosition;
    /** Row index where chunk i starts. */
    final int[] chunkStart;

    BatchRows(List<SequenceChunk> chunks) {
        int total = chunks.stream().mapToInt(SequenceChunk::length).sum();
        this.count = total;
        this.tokens = new int[total];
        this.slots = new int[total];
        this.positions = new int[total];
        this.chunkStartPosition = new int[total];
        this.chunkStart = new int[chunks.size()];
        int row = 0;
        for (int c = 0; c < chunks.size(); c++) {
            SequenceChunk chunk = chunks.get(c);
            chunkStart[c] = row;
            for (int i = 0; i < chunk.length(); i++, row++) {
                tokens[row] = chunk.tokens()[i];
                slots[row] = chunk.slot();
                positions[row] = chunk.startPosition() + i;
                chunkStartPosition[row] = chunk.startPosition();
            }
        }
    }
}
