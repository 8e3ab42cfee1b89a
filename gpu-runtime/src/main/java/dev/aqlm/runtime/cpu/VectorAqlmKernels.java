package dev.aqlm.runtime.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AqlmKernels} on the Vector API, with the scalar kernels' exact results. Table lookups become hardware
 * gathers (measured on AVX-512: 0.23 ns per lookup from an L1-resident table against 0.7-0.9 ns scalar), table
 * building keeps a vector of entries in a register across the group's inputs, and codebook-row dot products are one
 * 256-bit fused multiply-add per 8 weights.
 */
final class VectorAqlmKernels extends ScalarAqlmKernels {
    /** Float lanes of a gather: a whole tile in one 512-bit vector where the CPU has them, else two 256-bit ones. */
    private static final VectorSpecies<Float> LOOKUP = FloatVector.SPECIES_PREFERRED.length() >= TILE
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INDEX = VectorSpecies.of(int.class, LOOKUP.vectorShape());
    private static final VectorSpecies<Byte> CODE =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(LOOKUP.length() * Byte.SIZE));
    private static final VectorSpecies<Float> DOT = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> HALF_BITS = IntVector.SPECIES_256;

    /** Narrower vectors than 256 bits (or none) would make these loops slower than the scalar ones. */
    static boolean isFast() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && TILE % LOOKUP.length() == 0
                && DOT.length() == DOT_LANES;
    }

    @Override
    public void buildTable(float[] x, int xAt, float[] byDimension, int width, int groupSize, float[] table,
                           int tableAt) {
        // A vector of entries stays in a register across the group's inputs and is stored once.
        int vectorWidth = LOOKUP.loopBound(width);
        float first = x[xAt];
        for (int e = 0; e < vectorWidth; e += LOOKUP.length()) {
            FloatVector sum = FloatVector.fromArray(LOOKUP, byDimension, e).mul(first);
            for (int j = 1; j < groupSize; j++) {
                FloatVector xj = FloatVector.broadcast(LOOKUP, x[xAt + j]);
                sum = FloatVector.fromArray(LOOKUP, byDimension, j * width + e).fma(xj, sum);
            }
            sum.intoArray(table, tableAt + e);
        }
        for (int e = vectorWidth; e < width; e++) {
            float sum = first * byDimension[e];
            for (int j = 1; j < groupSize; j++) {
                sum = Math.fma(x[xAt + j], byDimension[j * width + e], sum);
            }
            table[tableAt + e] = sum;
        }
    }

    @Override
    public void tileIndices(byte[] codes, int codesAt, int firstPair, int pairs, int entries, int[] indices) {
        for (int q = 0; q < pairs; q++) {
            int base = (firstPair + q) * entries;
            for (int l = 0; l < TILE; l += INDEX.length()) {
                IntVector code = (IntVector) ByteVector.fromArray(CODE, codes, codesAt + q * TILE + l)
                        .convertShape(VectorOperators.B2I, INDEX, 0);
                code.and(0xFF).add(base).intoArray(indices, q * TILE + l);
            }
        }
    }

    @Override
    public void addLookups(float[] table, int tableAt, int[] indices, int pairs, float[] sums, int sumsAt) {
        for (int l = 0; l < TILE; l += LOOKUP.length()) {
            FloatVector sum = FloatVector.fromArray(LOOKUP, sums, sumsAt + l);
            for (int q = 0; q < pairs; q++) {
                sum = sum.add(FloatVector.fromArray(LOOKUP, table, tableAt, indices, q * TILE + l));
            }
            sum.intoArray(sums, sumsAt + l);
        }
    }

    @Override
    public float gatherDot(float[] codebooks, short[] halfCodebooks, short[] codes, int codesAt, int groups,
                           int books, int entries, int groupSize, float[] x, int xAt) {
        int chunks = groupSize / DOT_LANES;
        int units = groups * books * chunks;
        // The vector loops below take units four at a time (rows of other lengths go by the definition) and are
        // separate methods: JDK 17 boxes a vector merged from two branches or carried through an inner loop of
        // unknown trip count (a loop over codebooks inside a loop over groups measured 10-21 ns per group, the flat
        // loop 0.8-2.3 ns).
        if (groupSize % DOT_LANES != 0 || Integer.bitCount(chunks) != 1 || units % 4 != 0) {
            return super.gatherDot(codebooks, halfCodebooks, codes, codesAt, groups, books, entries, groupSize, x,
                    xAt);
        }
        if (books == 1 && chunks == 1) {
            // 1x16g8, the common large-codebook scheme: unit u is group u, one codebook row per unit.
            return halfCodebooks != null ? dotOneBookHalves(halfCodebooks, codes, codesAt, groups, x, xAt)
                    : dotOneBookFloats(codebooks, codes, codesAt, groups, x, xAt);
        }
        int shift = Integer.numberOfTrailingZeros(chunks);
        return halfCodebooks != null
                ? dotHalves(halfCodebooks, codes, codesAt, units, shift, books, entries, groupSize, x, xAt)
                : dotFloats(codebooks, codes, codesAt, units, shift, books, entries, groupSize, x, xAt);
    }

    /** Four accumulators, so that consecutive units' multiply-adds do not wait on each other's latency. */
    private static float dotFloats(float[] codebooks, short[] codes, int codesAt, int units, int shift, int books,
                                   int entries, int groupSize, float[] x, int xAt) {
        FloatVector a0 = FloatVector.zero(DOT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int u = 0; u < units; u += 4) {
            a0 = addUnit(a0, u, shift, codebooks, codes, codesAt, books, entries, groupSize, x, xAt);
            a1 = addUnit(a1, u + 1, shift, codebooks, codes, codesAt, books, entries, groupSize, x, xAt);
            a2 = addUnit(a2, u + 2, shift, codebooks, codes, codesAt, books, entries, groupSize, x, xAt);
            a3 = addUnit(a3, u + 3, shift, codebooks, codes, codesAt, books, entries, groupSize, x, xAt);
        }
        return sumInOrder(a0.add(a1).add(a2.add(a3)));
    }

    /** {@link #dotFloats} with the codebooks as fp16 bits. */
    private static float dotHalves(short[] halves, short[] codes, int codesAt, int units, int shift, int books,
                                   int entries, int groupSize, float[] x, int xAt) {
        FloatVector a0 = FloatVector.zero(DOT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int u = 0; u < units; u += 4) {
            a0 = addHalfUnit(a0, u, shift, halves, codes, codesAt, books, entries, groupSize, x, xAt);
            a1 = addHalfUnit(a1, u + 1, shift, halves, codes, codesAt, books, entries, groupSize, x, xAt);
            a2 = addHalfUnit(a2, u + 2, shift, halves, codes, codesAt, books, entries, groupSize, x, xAt);
            a3 = addHalfUnit(a3, u + 3, shift, halves, codes, codesAt, books, entries, groupSize, x, xAt);
        }
        return sumInOrder(a0.add(a1).add(a2.add(a3)));
    }

    @Override
    public float rowDot(float[] a, int aAt, float[] b, int bAt, int n) {
        FloatVector a0 = FloatVector.zero(DOT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int whole = n - n % ROW_DOT_LANES;
        for (int i = 0; i < whole; i += ROW_DOT_LANES) {
            a0 = FloatVector.fromArray(DOT, a, aAt + i).fma(FloatVector.fromArray(DOT, b, bAt + i), a0);
            a1 = FloatVector.fromArray(DOT, a, aAt + i + DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, b, bAt + i + DOT_LANES), a1);
            a2 = FloatVector.fromArray(DOT, a, aAt + i + 2 * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, b, bAt + i + 2 * DOT_LANES), a2);
            a3 = FloatVector.fromArray(DOT, a, aAt + i + 3 * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, b, bAt + i + 3 * DOT_LANES), a3);
        }
        float sum = sumInOrder(a0.add(a1).add(a2.add(a3)));
        for (int i = whole; i < n; i++) {
            sum = Math.fma(a[aAt + i], b[bAt + i], sum);
        }
        return sum;
    }

    /**
     * {@link #dotHalves} for one codebook and groups of 8: the same units in the same accumulators, without the
     * unit-to-(group, codebook, chunk) arithmetic, which cost as much as the gather itself.
     */
    private static float dotOneBookHalves(short[] halves, short[] codes, int codesAt, int groups, float[] x,
                                          int xAt) {
        FloatVector a0 = FloatVector.zero(DOT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int g = 0; g < groups; g += 4) {
            int at = xAt + g * DOT_LANES;
            a0 = widen(halves, (codes[codesAt + g] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at), a0);
            a1 = widen(halves, (codes[codesAt + g + 1] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + DOT_LANES), a1);
            a2 = widen(halves, (codes[codesAt + g + 2] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + 2 * DOT_LANES), a2);
            a3 = widen(halves, (codes[codesAt + g + 3] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + 3 * DOT_LANES), a3);
        }
        return sumInOrder(a0.add(a1).add(a2.add(a3)));
    }

    /** {@link #dotOneBookHalves} with fp32 codebooks. */
    private static float dotOneBookFloats(float[] codebooks, short[] codes, int codesAt, int groups, float[] x,
                                          int xAt) {
        FloatVector a0 = FloatVector.zero(DOT);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int g = 0; g < groups; g += 4) {
            int at = xAt + g * DOT_LANES;
            a0 = FloatVector.fromArray(DOT, codebooks, (codes[codesAt + g] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at), a0);
            a1 = FloatVector.fromArray(DOT, codebooks, (codes[codesAt + g + 1] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + DOT_LANES), a1);
            a2 = FloatVector.fromArray(DOT, codebooks, (codes[codesAt + g + 2] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + 2 * DOT_LANES), a2);
            a3 = FloatVector.fromArray(DOT, codebooks, (codes[codesAt + g + 3] & 0xFFFF) * DOT_LANES)
                    .fma(FloatVector.fromArray(DOT, x, at + 3 * DOT_LANES), a3);
        }
        return sumInOrder(a0.add(a1).add(a2.add(a3)));
    }

    /** Lanes in order, by constant index (a variable lane index is not intrinsified). */
    private static float sumInOrder(FloatVector lanes) {
        return lanes.lane(0) + lanes.lane(1) + lanes.lane(2) + lanes.lane(3) + lanes.lane(4) + lanes.lane(5)
                + lanes.lane(6) + lanes.lane(7);
    }

    /** One unit u = ((g · books) + c) · chunks + h: chunk h of codebook c's row for group g, times x's chunk. */
    private static FloatVector addUnit(FloatVector sum, int u, int chunkShift, float[] codebooks, short[] codes,
                                       int codesAt, int books, int entries, int groupSize, float[] x, int xAt) {
        int pair = u >> chunkShift;
        int chunk = (u - (pair << chunkShift)) * DOT_LANES;
        int g = books == 1 ? pair : pair / books;
        int row = ((pair - g * books) * entries + (codes[codesAt + pair] & 0xFFFF)) * groupSize + chunk;
        return FloatVector.fromArray(DOT, codebooks, row)
                .fma(FloatVector.fromArray(DOT, x, xAt + g * groupSize + chunk), sum);
    }

    /** {@link #addUnit} with the codebook as fp16 bits. */
    private static FloatVector addHalfUnit(FloatVector sum, int u, int chunkShift, short[] halves, short[] codes,
                                           int codesAt, int books, int entries, int groupSize, float[] x, int xAt) {
        int pair = u >> chunkShift;
        int chunk = (u - (pair << chunkShift)) * DOT_LANES;
        int g = books == 1 ? pair : pair / books;
        int row = ((pair - g * books) * entries + (codes[codesAt + pair] & 0xFFFF)) * groupSize + chunk;
        return widen(halves, row).fma(FloatVector.fromArray(DOT, x, xAt + g * groupSize + chunk), sum);
    }

    /**
     * Eight fp16 values to fp32, exactly, for finite inputs. Sign-extended to 32 bits and shifted left by 13, a half's
     * exponent and mantissa bits land in a float's place and its sign in bit 31 (and in bits 30-28, which are
     * cleared): a float of the same sign and 2^-112 times the magnitude (subnormal halves included), so one multiply
     * by 2^112 rescales it. Four operations where separating sign and magnitude took seven.
     */
    private static FloatVector widen(short[] halves, int at) {
        return ((IntVector) ShortVector.fromArray(HALF, halves, at).convertShape(VectorOperators.S2I, HALF_BITS, 0))
                .lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
    }
}
