package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.AqlmConfig;

/**
 * How an AQLM layer's codes sit in device memory: each weight group's C codebook indices packed into one
 * little-endian word (index c in bits [c·bits, (c+1)·bits)), rows of words padded so that every k-tile of the linear
 * kernel reads whole, aligned chunks with cp.async. The word is 1, 2, 4 or 8 bytes: 2x8 and 1x16 take 2 bytes per
 * group, as in the checkpoint.
 */
record CodeWordFormat(int codebooks, int bits, int groupSize) {
    /** The widest k-tile of any tile shape (LinearTile.SMALL). Rows cover whole tiles of this many inputs. */
    static final int K_TILE_MAX = 128;
    static final int K_TILE_MIN = 64;
    /** Output rows are padded to a multiple of the widest column tile. */
    static final int ROW_PADDING = 64;

    public CodeWordFormat {
        String unsupported = unsupportedReason(codebooks, bits, groupSize);
        if (unsupported != null) {
            throw new AqlmException(unsupported);
        }
    }

    /** Why the CUDA kernels cannot run this AQLM scheme, or null. */
    public static String unsupportedReason(AqlmConfig scheme) {
        return unsupportedReason(scheme.codebookCount(), scheme.bitsPerCodebook(), scheme.inGroupSize());
    }

    private static String unsupportedReason(int codebooks, int bits, int groupSize) {
        if (codebooks < 1 || bits < 1 || bits > 16) {
            return "AQLM scheme " + codebooks + "x" + bits + " is not supported: 1 to 16 bits per codebook";
        }
        if ((long) codebooks * bits > 64) {
            return "AQLM scheme " + codebooks + "x" + bits + " needs " + codebooks * bits
                    + " code bits per group; the CUDA kernels take at most 64";
        }
        if (groupSize < 8 || groupSize > K_TILE_MIN || Integer.bitCount(groupSize) != 1) {
            return "AQLM in_group_size " + groupSize + " is not supported by the CUDA kernels (8, 16, 32 or 64)";
        }
        return null;
    }

    public static CodeWordFormat of(AqlmConfig scheme) {
        return new CodeWordFormat(scheme.codebookCount(), scheme.bitsPerCodebook(), scheme.inGroupSize());
    }

    /**
     * Bytes per code word: the code bits rounded up to a power-of-two byte count, and at least groupSize/16 so that a
     * row's words for the narrowest k-tile span 4 bytes or more (the smallest cp.async).
     */
    public int wordBytes() {
        int codeBits = codebooks * bits;
        int bytes = codeBits <= 8 ? 1 : codeBits <= 16 ? 2 : codeBits <= 32 ? 4 : 8;
        return Math.max(bytes, groupSize / 16);
    }

    /** Words per stored row: the groups of {@code inFeatures} rounded up to whole k-tiles. */
    public int wordsPerRow(int inFeatures) {
        return roundUp(inFeatures, K_TILE_MAX) / groupSize;
    }

    public static int paddedRows(int outFeatures) {
        return roundUp(outFeatures, ROW_PADDING);
    }

    public int codebookEntries() {
        return 1 << bits;
    }

    /** Bytes of one codebook set [C][2^bits][G] in a 16-bit type. */
    public long codebookSetBytes() {
        return (long) codebooks * codebookEntries() * groupSize * 2;
    }

    static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
