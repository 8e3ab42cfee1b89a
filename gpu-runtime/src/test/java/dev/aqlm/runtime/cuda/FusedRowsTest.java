package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FusedRowsTest {
    @Test
    void ropePairOrderPutsRotatedPairsSideBySide() {
        int[] source = RowOrder.ropePairs(2, 8);
        assertArrayEquals(new int[] {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15}, source);
        for (int d = 0; d < 8; d++) {
            assertEquals(d, source[RowOrder.storedDimension(d, 8)]);
        }
    }

    @Test
    void queryKeyValueRowsAreQThenKThenV() {
        FusedRows rows = FusedRows.queryKeyValue(4, 2, 4);
        assertEquals(16 + 8 + 8, rows.rows());
        assertArrayEquals(new int[] {0, 0, 0, 0}, Arrays.copyOfRange(rows.part(), 0, 4));
        assertArrayEquals(new int[] {1, 1}, Arrays.copyOfRange(rows.part(), 16, 18));
        assertArrayEquals(new int[] {2, 2}, Arrays.copyOfRange(rows.part(), 24, 26));
        assertArrayEquals(new int[] {0, 2, 1, 3}, Arrays.copyOfRange(rows.sourceRow(), 16, 20), "k pair order");
        assertArrayEquals(new int[] {0, 1, 2, 3}, Arrays.copyOfRange(rows.sourceRow(), 24, 28), "v natural order");
        boolean[][] seen = new boolean[3][16];
        for (int r = 0; r < rows.rows(); r++) {
            seen[rows.part()[r]][rows.sourceRow()[r]] = true;
        }
        for (int p = 0; p < 3; p++) {
            for (int s = 0; s < (p == 0 ? 16 : 8); s++) {
                assertEquals(true, seen[p][s], "part " + p + " row " + s + " is used");
            }
        }
    }

    @Test
    void gateAndUpAlternate() {
        FusedRows rows = FusedRows.gateUp(3);
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 1}, rows.part());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, rows.sourceRow());
    }
}
