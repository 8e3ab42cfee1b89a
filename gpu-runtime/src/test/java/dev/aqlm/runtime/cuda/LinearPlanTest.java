package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import org.junit.jupiter.api.Test;

class LinearPlanTest {
    /** Shared memory per block (opt-in) and per SM of H100, A100 and an sm_86 card. */
    private static final LinearPlan.Limits H100 = new LinearPlan.Limits(232448, 233472);
    private static final LinearPlan.Limits A100 = new LinearPlan.Limits(166912, 167936);
    private static final LinearPlan.Limits SM86 = new LinearPlan.Limits(101376, 102400);

    private static LinearShape aqlm(int out, int in, int books, int bits, int group, int sets) {
        return new LinearShape(out, in, new CodeWordFormat(books, bits, group), sets,
                sets == 1 ? LinearShape.SetMode.SINGLE : LinearShape.SetMode.RANGES, new int[] {out / 3, 2 * out / 3});
    }

    @Test
    void smallBatchesUseTheSmallTileAndBulkTheLargeOne() {
        LinearShape dense = LinearShape.dense(4096, 4096);
        assertEquals(LinearTile.SMALL, LinearPlan.plan(dense, 1, H100).tile());
        assertEquals(LinearTile.SMALL, LinearPlan.plan(dense, 32, H100).tile());
        assertEquals(LinearTile.LARGE, LinearPlan.plan(dense, 33, H100).tile());
        assertEquals(LinearTile.LARGE, LinearPlan.plan(dense, 512, H100).tile());
    }

    @Test
    void gridCoversEveryOutputAndRow() {
        LinearPlan decode = LinearPlan.plan(LinearShape.dense(11008, 4096), 16, H100);
        assertEquals(new LaunchGeometry(344, 1, 1, 128, decode.geometry().sharedBytes()), decode.geometry());
        LinearPlan prefill = LinearPlan.plan(LinearShape.dense(4096, 11008), 512, H100);
        assertEquals(64, prefill.geometry().gridX());
        assertEquals(8, prefill.geometry().gridY());
        LinearPlan ragged = LinearPlan.plan(LinearShape.dense(100, 64), 17, H100);
        assertEquals(4, ragged.geometry().gridX());
        assertEquals(2, ragged.geometry().gridY());
    }

    @Test
    void sharedMemoryFollowsTheKernelLayout() {
        // SMALL dense: 4 stages x (16 + 32 rows) x 136 halves.
        assertEquals(4L * (16 + 32) * 136 * 2, LinearTile.SMALL.sharedBytes(LinearShape.dense(64, 64), 0));
        // SMALL 2x8: 8 stages x (x tile 4352 + codes 32 rows x 16 groups x 2 B) + decoded tile 8704 + 8 x 8 KiB.
        LinearShape twoByEight = aqlm(4096, 4096, 2, 8, 8, 1);
        assertEquals(8L * (4352 + 1024) + 8704 + 8L * 8192, LinearTile.SMALL.sharedBytes(twoByEight, 8));
        // LARGE 8x8 g32 (8-byte words): 6 stages, code stage 64 rows x 2 words x 8 B.
        LinearShape eightByEight = aqlm(4096, 4096, 8, 8, 32, 1);
        assertEquals(6L * (9216 + 1024) + 9216, LinearTile.LARGE.sharedBytes(eightByEight, 0));
    }

    @Test
    void codebookCopiesShrinkToFitTheDevice() {
        LinearShape twoByEight = aqlm(4096, 4096, 2, 8, 8, 1);
        assertEquals(4, LinearPlan.plan(twoByEight, 1, H100).replicas(), "two blocks per SM with 4 copies");
        assertEquals(2, LinearPlan.plan(twoByEight, 1, A100).replicas());
        assertEquals(4, LinearPlan.plan(twoByEight, 1, SM86).replicas(), "one block per SM: the most copies that fit");
        for (LinearPlan.Limits limits : new LinearPlan.Limits[] {H100, A100, SM86}) {
            assertTrue(LinearPlan.plan(twoByEight, 1, limits).geometry().sharedBytes() <= limits.sharedPerBlock());
        }
        LinearShape fusedQkv = aqlm(12288, 4096, 2, 8, 8, 3);
        int replicas = LinearPlan.plan(fusedQkv, 1, H100).replicas();
        assertTrue(replicas >= 1 && replicas <= 4, "q/k/v stage three codebook sets: " + replicas);
        assertTrue(2 * (LinearTile.SMALL.sharedBytes(fusedQkv, replicas) + 1024) <= H100.sharedPerSm());
    }

    @Test
    void largeCodebooksAreGatheredFromL2() {
        assertEquals(0, LinearPlan.plan(aqlm(4096, 4096, 1, 16, 8, 1), 1, H100).replicas());
        assertEquals(0, LinearPlan.plan(aqlm(4096, 11008, 1, 16, 16, 1), 64, A100).replicas());
        assertEquals(0, LinearPlan.plan(LinearShape.dense(4096, 4096), 1, H100).replicas());
    }

    @Test
    void codeWordsAreWideEnoughForEveryScheme() {
        assertEquals(2, new CodeWordFormat(2, 8, 8).wordBytes());
        assertEquals(2, new CodeWordFormat(1, 16, 8).wordBytes());
        assertEquals(1, new CodeWordFormat(1, 8, 8).wordBytes());
        assertEquals(2, new CodeWordFormat(1, 8, 32).wordBytes(), "g32 rows span >= 4 bytes per k-tile");
        assertEquals(8, new CodeWordFormat(8, 8, 32).wordBytes());
        assertEquals(2, new CodeWordFormat(1, 12, 8).wordBytes());
        assertEquals(4, new CodeWordFormat(2, 12, 8).wordBytes());
        assertEquals(4, new CodeWordFormat(3, 8, 8).wordBytes());
        assertEquals(4, new CodeWordFormat(1, 8, 64).wordBytes());
        assertThrows(AqlmException.class, () -> new CodeWordFormat(5, 16, 8));
        assertThrows(AqlmException.class, () -> new CodeWordFormat(1, 16, 12));
        assertThrows(AqlmException.class, () -> new CodeWordFormat(1, 17, 8));
    }

    /**
     * load_codes reads BN rows and BK/G words of a k-tile with no bounds check: the packed rows must be padded to a
     * multiple of every tile's BN, and each row's words to a multiple of every tile's BK (and G <= the smallest BK).
     */
    @Test
    void codePaddingCoversEveryTileShape() {
        int smallestK = Integer.MAX_VALUE;
        for (LinearTile tile : LinearTile.values()) {
            assertEquals(0, CodeWordFormat.ROW_PADDING % tile.outputsPerTile, tile + " BN");
            assertEquals(0, CodeWordFormat.K_TILE_MAX % tile.kTile, tile + " BK");
            smallestK = Math.min(smallestK, tile.kTile);
        }
        assertEquals(smallestK, CodeWordFormat.K_TILE_MIN, "the largest group size is the smallest k-tile");
    }

    @Test
    void codeRowsArePaddedToWholeTiles() {
        CodeWordFormat format = new CodeWordFormat(1, 16, 16);
        assertEquals(11008 / 16, format.wordsPerRow(11008), "11008 is 86 whole tiles of 128");
        assertEquals(4224 / 16, format.wordsPerRow(4112), "4112 rounds up to 4224 inputs");
        assertEquals(512, new CodeWordFormat(2, 8, 8).wordsPerRow(4096));
        assertEquals(4160, CodeWordFormat.paddedRows(4097));
        // Every tile's row segment is a whole number of aligned cp.async chunks.
        for (CodeWordFormat f : new CodeWordFormat[] {format, new CodeWordFormat(8, 8, 32), new CodeWordFormat(1, 8, 32),
                new CodeWordFormat(3, 8, 8), new CodeWordFormat(1, 8, 64)}) {
            for (LinearTile tile : LinearTile.values()) {
                int segment = tile.kTile / f.groupSize() * f.wordBytes();
                assertTrue(segment >= 4 && Integer.bitCount(segment) == 1, f + " " + tile);
                assertEquals(0, f.wordsPerRow(4096 + 8) * f.wordBytes() % segment, f + " " + tile);
            }
        }
    }
}
