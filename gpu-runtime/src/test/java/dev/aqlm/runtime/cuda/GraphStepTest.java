package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a decode or verification step is padded into the fixed shape of a captured graph. */
class GraphStepTest {
    private static final int SCRATCH = 8;
    private static final SamplingParams SEEDED = new SamplingParams(0.8, 0, 1, 99);
    private static final ChunkOutput NEXT = new ChunkOutput.NextToken(SamplingParams.GREEDY);

    private static GraphStep plan(List<SequenceChunk> chunks, int capacity) {
        return GraphStep.plan(chunks, new GraphBuckets(8), capacity, SCRATCH);
    }

    @Test
    void decodeStepsPadTheBucketWithScratchRowsAndNoTiles() {
        GraphStep step = plan(List.of(new SequenceChunk(1, 7, new int[] {42}, NEXT),
                new SequenceChunk(0, 3, new int[] {43}, new ChunkOutput.NextToken(SEEDED)),
                new SequenceChunk(5, 9, new int[] {44}, NEXT)), 100);
        assertEquals(new GraphStep.Shape(4, 1), step.shape());
        ForwardPlan.Pass pass = step.pass();
        assertEquals(4, pass.rows());
        assertArrayEquals(new int[] {0, 1, 2, 3}, pass.decodeRows());
        assertEquals(List.of(), pass.prefillTiles());
        assertEquals(new ForwardPlan.InputRow(0, SCRATCH, 0), pass.inputs().get(3), "padding writes the scratch slot");
        assertEquals(new ForwardPlan.Sample(1, 1, 0, SEEDED, 4), pass.outputs().get(1));
        assertEquals(ForwardPlan.Sample.PADDING, pass.outputs().get(3).chunk());
    }

    /**
     * A plain decode (slot 2), a full draft (slot 0: 3 tokens) and a short one (slot 4: 2 tokens) share a bucket of 4
     * blocks of 3 rows: chunk b's rows start at 3b, padding fills each block from the scratch slot's position 0, and
     * every real row samples the token at its position + 1 with its sequence's parameters.
     */
    @Test
    void verificationChunksAndPlainDecodesShareOneShape() {
        ChunkOutput verify = new ChunkOutput.TokensAtEveryPosition(SEEDED);
        List<SequenceChunk> chunks = List.of(new SequenceChunk(2, 20, new int[] {5}, NEXT),
                new SequenceChunk(0, 10, new int[] {6, 7, 8}, verify),
                new SequenceChunk(4, 30, new int[] {9, 10}, verify));
        GraphStep step = plan(chunks, 100);
        assertEquals(new GraphStep.Shape(4, 3), step.shape());
        ForwardPlan.Pass pass = step.pass();
        assertEquals(12, pass.rows());
        assertArrayEquals(new int[] {0, 3, 6, 9}, pass.decodeRows(), "each block's first row is a decode row");
        assertEquals(List.of(
                new ForwardPlan.PrefillTile(0, 0, SCRATCH, 0), new ForwardPlan.PrefillTile(1, 2, SCRATCH, 0),
                new ForwardPlan.PrefillTile(3, 3, 0, 10), new ForwardPlan.PrefillTile(6, 0, SCRATCH, 0),
                new ForwardPlan.PrefillTile(6, 2, 4, 30), new ForwardPlan.PrefillTile(8, 1, SCRATCH, 0),
                new ForwardPlan.PrefillTile(9, 0, SCRATCH, 0), new ForwardPlan.PrefillTile(9, 3, SCRATCH, 0)),
                pass.prefillTiles());
        assertEquals(List.of(new ForwardPlan.InputRow(5, 2, 20), new ForwardPlan.InputRow(0, SCRATCH, 0),
                new ForwardPlan.InputRow(0, SCRATCH, 1), new ForwardPlan.InputRow(6, 0, 10),
                new ForwardPlan.InputRow(7, 0, 11), new ForwardPlan.InputRow(8, 0, 12),
                new ForwardPlan.InputRow(9, 4, 30), new ForwardPlan.InputRow(10, 4, 31),
                new ForwardPlan.InputRow(0, SCRATCH, 0)), pass.inputs().subList(0, 9));
        assertEquals(new ForwardPlan.Sample(4, 1, 1, SEEDED, 12), pass.outputs().get(4));
        assertEquals(new ForwardPlan.Sample(0, 0, 0, SamplingParams.GREEDY, 21), pass.outputs().get(0));
        for (int row = 0; row < 12; row++) {
            assertEquals(row, pass.outputs().get(row).row(), "output i samples row i");
        }

        int[] tokens = java.util.stream.IntStream.range(100, 112).toArray();
        ChunkResults results = new ChunkResults(chunks);
        results.collect(pass, ChunkResults.PassValues.sampledOnly(tokens));
        List<ChunkResult> got = results.results();
        assertEquals(100, got.get(0).nextToken());
        assertArrayEquals(new int[] {103, 104, 105}, got.get(1).sampledTokens());
        assertArrayEquals(new int[] {106, 107}, got.get(2).sampledTokens(), "padding rows' tokens are dropped");
    }

    @Test
    void stepsThatCannotBeAGraphRunEagerly() {
        ChunkOutput verify = new ChunkOutput.TokensAtEveryPosition(SamplingParams.GREEDY);
        assertNull(plan(List.of(new SequenceChunk(0, 0, new int[] {1, 2}, NEXT)), 100), "a prompt chunk");
        assertNull(plan(List.of(new SequenceChunk(0, 0, new int[] {1}, ChunkOutput.ALL_LOGITS)), 100), "logits");
        assertNull(plan(List.of(new SequenceChunk(0, 0, new int[] {1}, ChunkOutput.CACHE_ONLY)), 100), "no sample");
        assertNull(plan(List.of(new SequenceChunk(0, 0, new int[65], verify)), 1000), "longer than a prefill tile");
        List<SequenceChunk> wide = List.of(new SequenceChunk(0, 0, new int[5], verify),
                new SequenceChunk(1, 0, new int[] {1}, NEXT), new SequenceChunk(2, 0, new int[] {1}, NEXT));
        assertNull(plan(wide, 19), "4 x 5 rows exceed a capacity of 19");
        assertEquals(new GraphStep.Shape(4, 5), plan(wide, 20).shape());
    }

    @Test
    void eagerPassesSampleEveryRowOfAVerificationChunk() {
        List<SequenceChunk> chunks = List.of(new SequenceChunk(0, 4, new int[] {1, 2, 3},
                new ChunkOutput.TokensAtEveryPosition(SEEDED)), new SequenceChunk(1, 0, new int[] {4, 5}, NEXT));
        ForwardPlan.Pass pass = ForwardPlan.plan(chunks, 100, 100).get(0);
        assertEquals(List.of(new ForwardPlan.Sample(0, 0, 0, SEEDED, 5), new ForwardPlan.Sample(1, 0, 1, SEEDED, 6),
                new ForwardPlan.Sample(2, 0, 2, SEEDED, 7), new ForwardPlan.Sample(4, 1, 1, SamplingParams.GREEDY, 2)),
                pass.outputs());
    }
}
