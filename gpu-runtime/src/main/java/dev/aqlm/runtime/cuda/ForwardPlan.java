package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * How a batch of chunks runs on the device: in passes of at most {@code capacity} rows (a longer batch, or a longer
 * chunk, is cut; pieces of one chunk go to consecutive passes, so each piece sees the keys of the ones before it).
 * Within a pass: rows in chunk order; a one-token piece attends with the decode kernel (the kernel a graph-captured
 * decode step uses, so a sequence gets the same numbers either way); longer pieces with the prefill kernel, in tiles
 * of up to 64 queries; and the rows whose logits are needed, samples first, then scored targets, then full logits.
 */
final class ForwardPlan {
    public static final int PREFILL_TILE = AttentionPlan.PREFILL_QUERIES;

    /** Tokens [from, to) of chunk {@code chunk}. */
    public record Piece(int chunk, int from, int to) {
        int length() {
            return to - from;
        }
    }

    /** A prefill attention tile: {@code count} rows from {@code row}, at positions from {@code startPosition}. */
    public record PrefillTile(int row, int count, int slot, int startPosition) {
    }

    /**
     * One device pass.
     *
     * @param sampleRows  rows whose next token is sampled, and the chunk each belongs to ({@code sampleChunks})
     * @param targetRows  rows whose target log-probability is scored; target i of the pass is for chunk
     *                    {@code targetChunks[i]}, index {@code targetIndices[i]} of its targets
     * @param logitRows   rows whose full logits are returned; row i is position {@code logitPositions[i]} of chunk
     *                    {@code logitChunks[i]}
     */
    public record Pass(List<Piece> pieces, int[] tokens, int[] slots, int[] positions, int[] decodeRows,
                       List<PrefillTile> prefillTiles, int[] sampleRows, int[] sampleChunks, int[] targetRows,
                       int[] targetChunks, int[] targetIndices, int[] targetTokens, int[] logitRows,
                       int[] logitChunks, int[] logitPositions) {
        public int rows() {
            return tokens.length;
        }

        /** Rows whose logits are computed, in order: samples, targets, full logits. */
        public int[] rowsNeedingLogits() {
            int[] all = new int[sampleRows.length + targetRows.length + logitRows.length];
            System.arraycopy(sampleRows, 0, all, 0, sampleRows.length);
            System.arraycopy(targetRows, 0, all, sampleRows.length, targetRows.length);
            System.arraycopy(logitRows, 0, all, sampleRows.length + targetRows.length, logitRows.length);
            return all;
        }
    }

    private ForwardPlan() {
    }

    public static List<Pass> plan(List<SequenceChunk> chunks, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        int[] done = new int[chunks.size()];
        List<List<Piece>> passes = new ArrayList<>();
        boolean remaining = true;
        while (remaining) {
            List<Piece> pass = new ArrayList<>();
            int used = 0;
            remaining = false;
            for (int c = 0; c < chunks.size(); c++) {
                int left = chunks.get(c).length() - done[c];
                if (left == 0) {
                    continue;
                }
                int take = Math.min(left, capacity - used);
                if (take > 0) {
                    pass.add(new Piece(c, done[c], done[c] + take));
                    done[c] += take;
                    used += take;
                }
                remaining |= done[c] < chunks.get(c).length();
            }
            if (!pass.isEmpty()) {
                passes.add(pass);
            }
        }
        List<Pass> result = new ArrayList<>();
        for (List<Piece> pieces : passes) {
            result.add(describe(chunks, pieces));
        }
        return result;
    }

    private static Pass describe(List<SequenceChunk> chunks, List<Piece> pieces) {
        int rows = pieces.stream().mapToInt(Piece::length).sum();
        int[] tokens = new int[rows];
        int[] slots = new int[rows];
        int[] positions = new int[rows];
        IntList decode = new IntList();
        List<PrefillTile> tiles = new ArrayList<>();
        IntList samples = new IntList();
        IntList sampleChunks = new IntList();
        IntList targets = new IntList();
        IntList targetChunks = new IntList();
        IntList targetIndices = new IntList();
        IntList targetTokens = new IntList();
        IntList logits = new IntList();
        IntList logitChunks = new IntList();
        IntList logitPositions = new IntList();
        int row = 0;
        for (Piece piece : pieces) {
            SequenceChunk chunk = chunks.get(piece.chunk());
            int first = row;
            for (int i = piece.from(); i < piece.to(); i++, row++) {
                tokens[row] = chunk.tokens()[i];
                slots[row] = chunk.slot();
                positions[row] = chunk.startPosition() + i;
            }
            if (piece.length() == 1) {
                decode.add(first);
            } else {
                for (int t = 0; t < piece.length(); t += PREFILL_TILE) {
                    int count = Math.min(PREFILL_TILE, piece.length() - t);
                    tiles.add(new PrefillTile(first + t, count, chunk.slot(), chunk.startPosition() + piece.from() + t));
                }
            }
            ChunkOutput output = chunk.output();
            if (output instanceof ChunkOutput.NextToken && piece.to() == chunk.length()) {
                samples.add(row - 1);
                sampleChunks.add(piece.chunk());
            } else if (output instanceof ChunkOutput.TargetLogProbs scored) {
                int[] expected = scored.targets();
                int firstScored = chunk.length() - expected.length;
                for (int i = Math.max(piece.from(), firstScored); i < piece.to(); i++) {
                    targets.add(first + i - piece.from());
                    targetChunks.add(piece.chunk());
                    targetIndices.add(i - firstScored);
                    targetTokens.add(expected[i - firstScored]);
                }
            } else if (output instanceof ChunkOutput.AllLogits) {
                for (int i = piece.from(); i < piece.to(); i++) {
                    logits.add(first + i - piece.from());
                    logitChunks.add(piece.chunk());
                    logitPositions.add(i);
                }
            }
        }
        return new Pass(List.copyOf(pieces), tokens, slots, positions, decode.toArray(), List.copyOf(tiles),
                samples.toArray(), sampleChunks.toArray(), targets.toArray(), targetChunks.toArray(),
                targetIndices.toArray(), targetTokens.toArray(), logits.toArray(), logitChunks.toArray(),
                logitPositions.toArray());
    }

    /** A growable int array. */
    static final class IntList {
        private int[] values = new int[8];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
