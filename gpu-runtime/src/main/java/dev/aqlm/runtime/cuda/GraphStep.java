package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch that runs as one replay of a captured graph: every chunk samples at each of its rows, so it is a decode
 * step (one token, its next one sampled) or a verification chunk ([last token, draft...], a token sampled after each),
 * and plain and speculating sequences mix freely. The batch is padded to {@link Shape#bucket} blocks of
 * {@link Shape#width} rows (the longest chunk), chunk b in block b, so that one (bucket, width) graph launches the
 * same kernels every step; what varies (tokens, slots, positions, attention tiles, sampling rows) is written to the
 * pass-input buffer, which the graph reads at fixed addresses. Every row samples; the tokens of padding rows are
 * computed and dropped.
 *
 * <p>A padding row embeds token 0 and writes the scratch slot, at positions 0, 1, ... within its block, so every row
 * of the step has finite activations and no sequence's cache is touched. Attention, per block: its first row is a
 * decode row (the decode kernel, as in a decode step and in an eager pass, so a plain sequence gets the same numbers
 * whether or not its neighbours speculate); with width > 1, the block also has two prefill tiles read from device
 * memory: the chunk's own rows when it is longer than one token (overwriting the first row's decode result with the
 * prefill kernel's, as an eager pass computes such a chunk), then its padding rows over the scratch slot. An unused
 * tile has count 0 at position 0, so the kernel reads no keys for it.
 */
record GraphStep(Shape shape, ForwardPlan.Pass pass) {

    /** What a captured graph is keyed by: {@code bucket} sequences of {@code width} rows each. */
    record Shape(int bucket, int width) {
        int rows() {
            return bucket * width;
        }

        int decodeRows() {
            return bucket;
        }

        /** Two prefill tiles per block once chunks are longer than one token; a decode step has none. */
        int prefillTiles() {
            return width == 1 ? 0 : 2 * bucket;
        }
    }

    /**
     * The graph step for {@code chunks}, or null when they need an eager pass: a chunk that samples nothing (or only
     * at its end, after more than one token), one longer than a prefill tile, or more padded rows than
     * {@code capacity}.
     */
    static GraphStep plan(List<SequenceChunk> chunks, GraphBuckets buckets, int capacity, int scratchSlot) {
        int width = 1;
        for (SequenceChunk chunk : chunks) {
            if (!samplesEveryRow(chunk) || chunk.length() > ForwardPlan.PREFILL_TILE) {
                return null;
            }
            width = Math.max(width, chunk.length());
        }
        if (chunks.isEmpty() || chunks.size() > buckets.largest()) {
            return null;
        }
        Shape shape = new Shape(buckets.bucketFor(chunks.size()), width);
        if (shape.rows() > capacity) {
            return null;
        }
        return new GraphStep(shape, pad(chunks, shape, scratchSlot));
    }

    private static boolean samplesEveryRow(SequenceChunk chunk) {
        return chunk.output() instanceof ChunkOutput.TokensAtEveryPosition
                || chunk.length() == 1 && chunk.output() instanceof ChunkOutput.NextToken;
    }

    private static SamplingParams sampling(SequenceChunk chunk) {
        return chunk.output() instanceof ChunkOutput.NextToken next ? next.sampling()
                : ((ChunkOutput.TokensAtEveryPosition) chunk.output()).sampling();
    }

    private static ForwardPlan.Pass pad(List<SequenceChunk> chunks, Shape shape, int scratch) {
        int width = shape.width();
        List<ForwardPlan.Piece> pieces = new ArrayList<>();
        List<ForwardPlan.InputRow> inputs = new ArrayList<>();
        int[] decodeRows = new int[shape.decodeRows()];
        List<ForwardPlan.PrefillTile> tiles = new ArrayList<>();
        List<ForwardPlan.Output> outputs = new ArrayList<>();
        for (int b = 0; b < shape.bucket(); b++) {
            SequenceChunk chunk = b < chunks.size() ? chunks.get(b) : null;
            int length = chunk == null ? 0 : chunk.length();
            int first = b * width;
            for (int i = 0; i < width; i++) {
                if (i < length) {
                    inputs.add(new ForwardPlan.InputRow(chunk.tokens()[i], chunk.slot(), chunk.startPosition() + i));
                    outputs.add(new ForwardPlan.Sample(first + i, b, i, sampling(chunk),
                            chunk.startPosition() + i + 1));
                } else {
                    inputs.add(new ForwardPlan.InputRow(0, scratch, i - length));
                    outputs.add(new ForwardPlan.Sample(first + i, ForwardPlan.Sample.PADDING, 0, SamplingParams.GREEDY,
                            1));
                }
            }
            decodeRows[b] = first;
            if (width > 1) {
                tiles.add(length > 1 ? new ForwardPlan.PrefillTile(first, length, chunk.slot(), chunk.startPosition())
                        : new ForwardPlan.PrefillTile(first, 0, scratch, 0));
                tiles.add(new ForwardPlan.PrefillTile(first + length, width - length, scratch, 0));
            }
            if (chunk != null) {
                pieces.add(new ForwardPlan.Piece(b, 0, length));
            }
        }
        return new ForwardPlan.Pass(List.copyOf(pieces), List.copyOf(inputs), decodeRows, List.copyOf(tiles),
                List.copyOf(outputs));
    }
}
