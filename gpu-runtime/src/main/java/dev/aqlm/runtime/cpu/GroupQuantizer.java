package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.checkpoint.Half;

/**
 * The rounding of the quantized KV cache, one group at a time, shared by keys and values and to be mirrored exactly by
 * the CUDA kernels: zero point = the group's minimum and scale = (max - min) / levels, both rounded to fp16 first (so
 * what is stored is what every backend reads back), then code = floor((x - zero) · (1 / scale) + 0.5) clamped to
 * [0, levels]. A constant group has scale 0 and codes 0. Codes are packed low bits first, 8 / bits codes per byte.
 * Public as the reference that the CUDA kernel's test ({@code CudaKvQuantizeTest}) compares against.
 */
public final class GroupQuantizer {
    private final int bits;
    private final int levels;
    private final int codesPerByteShift;

    public GroupQuantizer(int bits) {
        this.bits = bits;
        this.levels = (1 << bits) - 1;
        this.codesPerByteShift = Integer.numberOfTrailingZeros(8 / bits);
    }

    int bits() {
        return bits;
    }

    /**
     * Quantizes {@code n} values {@code source[at + i · stride]} into codes {@code codeAt + i} of {@code codes}, and
     * the group's fp16 scale and zero into {@code scales[group]}, {@code zeros[group]}.
     */
    public void quantize(float[] source, int at, int stride, int n, byte[] codes, long codeAt, short[] scales,
                  short[] zeros, int group) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = source[at + i * stride];
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        short zeroBits = Half.floatToHalf(min);
        short scaleBits = Half.floatToHalf((max - min) / levels);
        zeros[group] = zeroBits;
        scales[group] = scaleBits;
        float zero = Half.halfToFloat(zeroBits);
        float scale = Half.halfToFloat(scaleBits);
        float inverse = scale > 0 ? 1f / scale : 0f;
        for (int i = 0; i < n; i++) {
            int code = (int) Math.floor((source[at + i * stride] - zero) * inverse + 0.5f);
            write(codes, codeAt + i, Math.max(0, Math.min(levels, code)));
        }
    }

    /** Code {@code index} of a packed array. */
    int code(byte[] codes, long index) {
        int shift = (int) (index & ((1 << codesPerByteShift) - 1)) * bits;
        return (codes[(int) (index >>> codesPerByteShift)] >>> shift) & levels;
    }

    /** out[i] = code(codeAt + i) for i in [0, n): unpacked once, then used as floats by the attention loops. */
    void unpack(byte[] codes, long codeAt, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = code(codes, codeAt + i);
        }
    }

    /** The value code {@code codeAt + i} stands for: code · scale + zero, with the group's stored fp16 parameters. */
    float dequantize(byte[] codes, long index, short scale, short zero) {
        return code(codes, index) * Half.halfToFloat(scale) + Half.halfToFloat(zero);
    }

    private void write(byte[] codes, long index, int code) {
        int shift = (int) (index & ((1 << codesPerByteShift) - 1)) * bits;
        int at = (int) (index >>> codesPerByteShift);
        codes[at] = (byte) ((codes[at] & ~(levels << shift)) | (code << shift));
    }
}
