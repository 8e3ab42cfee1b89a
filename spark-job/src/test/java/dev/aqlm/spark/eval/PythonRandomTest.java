package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Exact equality throughout: the generator is integer arithmetic, and random() is exact in double. */
class PythonRandomTest {
    @Test
    void referenceInitByArrayGivesTheMt19937ReferenceOutputs() {
        // mt19937ar.out (Matsumoto & Nishimura): init_by_array({0x123, 0x234, 0x345, 0x456}), first five outputs.
        PythonRandom random = PythonRandom.fromKey(new int[] {0x123, 0x234, 0x345, 0x456});
        long[] first = {1067595299L, 955945823L, 477289528L, 4107218783L, 4228976476L};
        for (long expected : first) {
            assertEquals(expected, random.nextUnsignedInt());
        }
    }

    @Test
    void randomMatchesCPythonForSmallAndLargeSeeds() {
        // CPython 3: random.Random(0).random() -> 0.8444218515250481, 0.7579544029403025, 0.420571580830845
        PythonRandom zero = new PythonRandom(0);
        assertEquals(0.8444218515250481, zero.random());
        assertEquals(0.7579544029403025, zero.random());
        assertEquals(0.420571580830845, zero.random());
        assertEquals(0.13436424411240122, new PythonRandom(1).random());
        // A seed above 2^32 is two key words: random.Random(2**40 + 5).random()
        assertEquals(0.5043802970418443, new PythonRandom((1L << 40) + 5).random());
        // random.Random(5).getrandbits(32)
        assertEquals(2675342405L, new PythonRandom(5).nextUnsignedInt());
    }

    @Test
    void choicesDrawsTheSameIndicesAsCPython() {
        // random.Random(3).choices(list(range(10)), k=8) -> [2, 5, 3, 6, 6, 0, 0, 8]
        double[] population = IntStream.range(0, 10).asDoubleStream().toArray();
        double[] drawn = new PythonRandom(3).resample(population);
        assertArrayEquals(new double[] {2, 5, 3, 6, 6, 0, 0, 8}, java.util.Arrays.copyOf(drawn, 8));
    }
}
