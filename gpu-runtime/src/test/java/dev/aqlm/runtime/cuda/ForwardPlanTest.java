package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ForwardPlanTest {
    private static int[] tokens(int n) {
        return IntStream.range(100, 100 + n).toArray();
    }

    private static final ChunkOutput NEXT = new ChunkOutput.NextToken(SamplingParams.GREEDY);

    @Test
    void mixedBatchUsesDecodeRowsForSingleTokensAndTilesForPrompts() {
        List<SequenceChunk> chunks = List.of(
                new SequenceChunk(3, 10, new int[] {7}, NEXT),
                new SequenceChunk(0, 0, tokens(70), NEXT),
                new SequenceChunk(5, 4, tokens(3), ChunkOutput.CACHE_ONLY));
        List<ForwardPlan.Pass> passes = ForwardPlan.plan(chunks, 1000, 1000);
        assertEquals(1, passes.size());
        ForwardPlan.Pass pass = passes.get(0);
        assertEquals(74, pass.rows());
        assertArrayEquals(new int[] {0}, pass.decodeRows());
        assertEquals(List.of(new ForwardPlan.PrefillTile(1, 64, 0, 0), new ForwardPlan.PrefillTile(65, 6, 0, 64),
                new ForwardPlan.PrefillTile(71, 3, 5, 4)), pass.prefillTiles());
        assertEquals(List.of(new ForwardPlan.Sample(0, 0, 0, SamplingParams.GREEDY, 11),
                new ForwardPlan.Sample(70, 1, 69, SamplingParams.GREEDY, 70)), pass.outputs());
        assertEquals(new ForwardPlan.InputRow(7, 3, 10), pass.inputs().get(0));
        assertEquals(new ForwardPlan.InputRow(169, 0, 69), pass.inputs().get(70));
        assertEquals(new ForwardPlan.InputRow(102, 5, 6), pass.inputs().get(73));
    }

    @Test
    void longChunksAreCutAcrossPassesAndOnlyTheLastPieceSamples() {
        List<SequenceChunk> chunks = List.of(new SequenceChunk(1, 0, tokens(10), NEXT),
                new SequenceChunk(2, 5, new int[] {9}, NEXT));
        List<ForwardPlan.Pass> passes = ForwardPlan.plan(chunks, 4, 4);
        assertEquals(3, passes.size());
        assertEquals(List.of(new ForwardPlan.Piece(0, 0, 4)), passes.get(0).pieces());
        assertEquals(List.of(new ForwardPlan.Piece(0, 4, 8)), passes.get(1).pieces());
        assertEquals(List.of(new ForwardPlan.Piece(0, 8, 10), new ForwardPlan.Piece(1, 0, 1)), passes.get(2).pieces());
        assertEquals(List.of(), passes.get(0).outputs());
        assertEquals(List.of(), passes.get(1).outputs());
        assertEquals(List.of(1, 2), passes.get(2).outputs().stream().map(ForwardPlan.Output::row).toList());
        assertEquals(List.of(8, 9, 5), passes.get(2).inputs().stream().map(ForwardPlan.InputRow::position).toList());
    }

    @Test
    void aChunkTakesAtMostItsRowsPerPassWhileOthersFillThePass() {
        List<SequenceChunk> chunks = List.of(new SequenceChunk(1, 0, tokens(10), NEXT),
                new SequenceChunk(2, 0, tokens(5), NEXT));
        List<ForwardPlan.Pass> passes = ForwardPlan.plan(chunks, 8, 4);
        assertEquals(List.of(new ForwardPlan.Piece(0, 0, 4), new ForwardPlan.Piece(1, 0, 4)), passes.get(0).pieces());
        assertEquals(List.of(new ForwardPlan.Piece(0, 4, 8), new ForwardPlan.Piece(1, 4, 5)), passes.get(1).pieces());
        assertEquals(List.of(new ForwardPlan.Piece(0, 8, 10)), passes.get(2).pieces());
        assertEquals(3, passes.size());
    }

    @Test
    void targetsAndLogitsKeepTheirIndicesAcrossPieces() {
        List<SequenceChunk> chunks = List.of(
                new SequenceChunk(0, 0, tokens(6), new ChunkOutput.TargetLogProbs(new int[] {11, 12, 13, 14})),
                new SequenceChunk(1, 0, tokens(3), ChunkOutput.ALL_LOGITS));
        List<ForwardPlan.Pass> passes = ForwardPlan.plan(chunks, 4, 4);
        assertEquals(List.of(new ForwardPlan.Target(2, 0, 0, 11), new ForwardPlan.Target(3, 0, 1, 12)),
                passes.get(0).outputs());
        assertEquals(List.of(new ForwardPlan.Target(0, 0, 2, 13), new ForwardPlan.Target(1, 0, 3, 14),
                new ForwardPlan.Logits(2, 1, 0), new ForwardPlan.Logits(3, 1, 1)), passes.get(1).outputs(),
                "targets before logits, each at its own row");
        assertEquals(List.of(new ForwardPlan.Logits(0, 1, 2)), passes.get(2).outputs());
        assertEquals(2, passes.get(1).firstOf(ForwardPlan.Logits.class));
    }

    /**
     * A batch of every output kind, cut into passes of 3 rows, with each pass's device values made up from the output
     * records (token 1000 + row, log-probability -(index + 1), argmax on even indices, logits row [chunk, position]):
     * every chunk gets exactly its own values back, in its own order, whichever pass they came from.
     */
    @Test
    void resultsAreFiledUnderTheirChunksAcrossPasses() {
        List<SequenceChunk> chunks = List.of(
                new SequenceChunk(3, 9, new int[] {5}, NEXT),
                new SequenceChunk(0, 0, tokens(4), new ChunkOutput.TargetLogProbs(new int[] {11, 12, 13})),
                new SequenceChunk(1, 0, tokens(2), ChunkOutput.ALL_LOGITS),
                new SequenceChunk(2, 0, tokens(3), ChunkOutput.CACHE_ONLY));
        ChunkResults results = new ChunkResults(chunks);
        List<ForwardPlan.Pass> passes = ForwardPlan.plan(chunks, 3, 3);
        assertEquals(1, passes.get(0).firstOf(ForwardPlan.Target.class), "a pass with a sample before its targets");
        int sampledRow = -1;
        for (ForwardPlan.Pass pass : passes) {
            int n = pass.outputs().size();
            int firstTarget = pass.firstOf(ForwardPlan.Target.class);
            int[] sampled = new int[pass.countOf(ForwardPlan.Sample.class)];
            float[] logProbs = new float[pass.countOf(ForwardPlan.Target.class)];
            int[] isArgmax = new int[logProbs.length];
            float[][] logits = new float[n][];
            for (int i = 0; i < n; i++) {
                ForwardPlan.Output output = pass.outputs().get(i);
                if (output instanceof ForwardPlan.Sample) {
                    sampled[i] = 1000 + output.row();
                    sampledRow = output.row();
                } else if (output instanceof ForwardPlan.Target target) {
                    logProbs[i - firstTarget] = -(target.index() + 1);
                    isArgmax[i - firstTarget] = target.index() % 2 == 0 ? 1 : 0;
                } else if (output instanceof ForwardPlan.Logits row) {
                    logits[i] = new float[] {row.chunk(), row.position()};
                }
            }
            results.collect(pass, new ChunkResults.PassValues(sampled, firstTarget, logProbs, isArgmax, logits));
        }
        List<dev.aqlm.runtime.engine.ChunkResult> got = results.results();
        assertEquals(1000 + sampledRow, got.get(0).nextToken());
        assertArrayEquals(new float[] {-1, -2, -3}, got.get(1).targetLogProbs(),
                "the first pass holds the sample, then a target (which comes back at index 1 of its outputs)");
        assertArrayEquals(new boolean[] {true, false, true}, got.get(1).targetIsArgmax());
        assertEquals(2, got.get(2).logits().length);
        assertArrayEquals(new float[] {2, 0}, got.get(2).logits()[0]);
        assertArrayEquals(new float[] {2, 1}, got.get(2).logits()[1]);
        assertEquals(dev.aqlm.runtime.engine.ChunkResult.EMPTY, got.get(3));
    }

    @Test
    void inputsAreLaidOutAtFixedAlignedOffsets() {
        BatchInputs layout = new BatchInputs(10);
        long previous = -1;
        for (BatchInputs.Section section : BatchInputs.Section.values()) {
            assertEquals(0, layout.offset(section) % 16, section.name());
            assertEquals(true, layout.offset(section) > previous);
            previous = layout.offset(section);
        }
        List<SequenceChunk> chunks = List.of(new SequenceChunk(2, 3, tokens(2),
                new ChunkOutput.NextToken(new SamplingParams(0.7, 40, 0.9, 1234))));
        ForwardPlan.Pass pass = ForwardPlan.plan(chunks, 10, 10).get(0);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) layout.bytes())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        layout.write(buffer, pass);
        int tiles = (int) layout.offset(BatchInputs.Section.PREFILL_TILES);
        assertEquals(0, buffer.getInt(tiles));
        assertEquals(2, buffer.getInt(tiles + 4));
        assertEquals(2, buffer.getInt(tiles + 8));
        assertEquals(3, buffer.getInt(tiles + 12));
        int sampling = (int) layout.offset(BatchInputs.Section.SAMPLING);
        assertEquals(0.7, buffer.getDouble(sampling));
        assertEquals(0.9, buffer.getDouble(sampling + 8));
        assertEquals(1234L, buffer.getLong(sampling + 16));
        assertEquals(40, buffer.getInt(sampling + 24));
        assertEquals(5, buffer.getInt(sampling + 28), "the position of the sampled token");
        assertEquals(1, buffer.getInt((int) layout.offset(BatchInputs.Section.LOGIT_ROWS)));
    }
}
