package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * How a batch of chunks runs on the device: in passes of at most {@code capacity} rows (a longer batch, or a longer
 * chunk, is cut; pieces of one chunk go to consecutive passes, so each piece sees the keys of the ones before it).
 * Within a pass: rows in chunk order; a one-token piece attends with the decode kernel (the kernel a graph-captured
 * decode step uses, so a sequence gets the same numbers either way); longer pieces with the prefill kernel, in tiles
 * of up to 64 queries; and one {@link Output} per row whose logits are needed, samples first (the last row of a
 * next-token chunk, every row of a tokens-at-every-position chunk), then scored targets, then full logits (so each
 * kind is one contiguous run, one kernel launch per logits group).
 */
final class ForwardPlan {
    public static final int PREFILL_TILE = AttentionPlan.PREFILL_QUERIES;

    /** Tokens [from, to) of chunk {@code chunk}. */
    record Piece(int chunk, int from, int to) {
        int length() {
            return to - from;
        }
    }

    /** One row of a pass: the token it embeds, and the cache slot and position it writes. */
    record InputRow(int token, int slot, int position) {
    }

    /** A prefill attention tile: {@code count} rows from {@code row}, at positions from {@code startPosition}. */
    record PrefillTile(int row, int count, int slot, int startPosition) {
    }

    /** A row whose logits are computed, and what the chunk {@code chunk} gets from them. */
    sealed interface Output permits Sample, Target, Logits {
        int row();

        int chunk();
    }

    /**
     * The token after chunk position {@code index}, sampled with {@code sampling} as the token at {@code position}.
     * Chunk {@link #PADDING} marks a padding row's sample in a graph step (computed, never read).
     */
    record Sample(int row, int chunk, int index, SamplingParams sampling, int position) implements Output {
        static final int PADDING = -1;
    }

    /** The log-probability of {@code token}, target {@code index} of the chunk. */
    record Target(int row, int chunk, int index, int token) implements Output {
    }

    /** The full logits at chunk position {@code position}. */
    record Logits(int row, int chunk, int position) implements Output {
    }

    /** One device pass: its rows, how they attend, and its outputs (samples, then targets, then logits). */
    record Pass(List<Piece> pieces, List<InputRow> inputs, int[] decodeRows, List<PrefillTile> prefillTiles,
                List<Output> outputs) {
        int rows() {
            return inputs.size();
        }

        /** Outputs of one kind: they are one run, from {@link #firstOf}. */
        int countOf(Class<? extends Output> kind) {
            return (int) outputs.stream().filter(kind::isInstance).count();
        }

        /** The index of the first output of {@code kind} (where it would be when there is none). */
        int firstOf(Class<? extends Output> kind) {
            int at = 0;
            for (Class<? extends Output> earlier : List.of(Sample.class, Target.class, Logits.class)) {
                if (earlier == kind) {
                    return at;
                }
                at += countOf(earlier);
            }
            throw new IllegalArgumentException(kind.getName());
        }
    }

    private ForwardPlan() {
    }

    /**
     * Passes of at most {@code capacity} rows, each holding at most {@code rowsPerChunk} rows of one chunk (a
     * quantized KV cache's ring bounds what one sequence may write in one pass).
     */
    static List<Pass> plan(List<SequenceChunk> chunks, int capacity, int rowsPerChunk) {
        if (capacity < 1 || rowsPerChunk < 1) {
            throw new IllegalArgumentException("capacity and rows per chunk must be positive");
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
                int take = Math.min(Math.min(left, rowsPerChunk), capacity - used);
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
        List<InputRow> inputs = new ArrayList<>();
        List<Integer> decode = new ArrayList<>();
        List<PrefillTile> tiles = new ArrayList<>();
        List<Output> samples = new ArrayList<>();
        List<Output> targets = new ArrayList<>();
        List<Output> logits = new ArrayList<>();
        for (Piece piece : pieces) {
            SequenceChunk chunk = chunks.get(piece.chunk());
            int first = inputs.size();
            for (int i = piece.from(); i < piece.to(); i++) {
                inputs.add(new InputRow(chunk.tokens()[i], chunk.slot(), chunk.startPosition() + i));
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
            if (output instanceof ChunkOutput.NextToken next && piece.to() == chunk.length()) {
                samples.add(new Sample(inputs.size() - 1, piece.chunk(), chunk.length() - 1, next.sampling(),
                        chunk.endPosition()));
            } else if (output instanceof ChunkOutput.TokensAtEveryPosition every) {
                for (int i = piece.from(); i < piece.to(); i++) {
                    samples.add(new Sample(first + i - piece.from(), piece.chunk(), i, every.sampling(),
                            chunk.startPosition() + i + 1));
                }
            } else if (output instanceof ChunkOutput.TargetLogProbs scored) {
                int[] expected = scored.targets();
                int firstScored = chunk.length() - expected.length;
                for (int i = Math.max(piece.from(), firstScored); i < piece.to(); i++) {
                    targets.add(new Target(first + i - piece.from(), piece.chunk(), i - firstScored,
                            expected[i - firstScored]));
                }
            } else if (output instanceof ChunkOutput.AllLogits) {
                for (int i = piece.from(); i < piece.to(); i++) {
                    logits.add(new Logits(first + i - piece.from(), piece.chunk(), i));
                }
            }
        }
        List<Output> outputs = new ArrayList<>(samples);
        outputs.addAll(targets);
        outputs.addAll(logits);
        return new Pass(List.copyOf(pieces), List.copyOf(inputs), decode.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(tiles), List.copyOf(outputs));
    }
}
