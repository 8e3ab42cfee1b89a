package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.TensorData;

/**
 * An AQLM layer's codebook indices, masked to the scheme's bits and laid out [out][group][codebook] in the narrowest
 * unsigned type that holds them: bytes up to 8 bits, shorts up to 16 (read back with {@code & 0xFF} / {@code & 0xFFFF}).
 * This is the form both backends consume; a 7B model's codes stay about as small as in the checkpoint.
 */
public final class CodebookIndices {
    private final byte[] bytes;
    private final short[] shorts;

    private CodebookIndices(byte[] bytes, short[] shorts) {
        this.bytes = bytes;
        this.shorts = shorts;
    }

    public static CodebookIndices read(AqlmLinearWeights layer) {
        TensorData codes = layer.codes();
        int[] stored = readStored(codes);
        int mask = layer.scheme().codeMask();
        int out = layer.outFeatures();
        int groups = layer.groupCount();
        int books = layer.scheme().codebookCount();
        boolean narrow = layer.scheme().bitsPerCodebook() <= 8;
        byte[] bytes = narrow ? new byte[stored.length] : null;
        short[] shorts = narrow ? null : new short[stored.length];
        for (int o = 0; o < out; o++) {
            for (int g = 0; g < groups; g++) {
                int from = layer.codesTransposed() ? (g * out + o) * books : (o * groups + g) * books;
                int to = (o * groups + g) * books;
                for (int c = 0; c < books; c++) {
                    int index = stored[from + c] & mask;
                    if (narrow) {
                        bytes[to + c] = (byte) index;
                    } else {
                        shorts[to + c] = (short) index;
                    }
                }
            }
        }
        return new CodebookIndices(bytes, shorts);
    }

    private static int[] readStored(TensorData codes) {
        if (codes.dtype() != DType.I8 && codes.dtype() != DType.I16 && codes.dtype() != DType.I32) {
            throw new IllegalArgumentException(codes + " is not an integer code tensor");
        }
        return codes.toInts();
    }

    /** True when indices are stored as bytes (codebooks of at most 256 entries). */
    public boolean isByteWide() {
        return bytes != null;
    }

    public byte[] bytes() {
        return bytes;
    }

    public short[] shorts() {
        return shorts;
    }

    public int length() {
        return bytes != null ? bytes.length : shorts.length;
    }

    public int get(int flatIndex) {
        return bytes != null ? bytes[flatIndex] & 0xFF : shorts[flatIndex] & 0xFFFF;
    }
}
