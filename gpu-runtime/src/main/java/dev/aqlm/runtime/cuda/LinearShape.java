package dev.aqlm.runtime.cuda;

/**
 * A device linear as the kernel sees it: n outputs (several checkpoint layers fused along n), k inputs, and the
 * weight format: dense, or AQLM codes with one codebook set per fused layer.
 *
 * @param codes     null for dense weights
 * @param setMode   which codebook set an output row uses
 * @param setBounds first rows of sets 1 and 2 ({@link SetMode#RANGES})
 */
record LinearShape(int outFeatures, int inFeatures, CodeWordFormat codes, int codebookSets, SetMode setMode,
                          int[] setBounds) {

    /** How a fused AQLM linear assigns codebook sets to rows (linear.cu's SetMode). */
    public enum SetMode {
        SINGLE(0), RANGES(1), INTERLEAVED(2);

        final int code;

        SetMode(int code) {
            this.code = code;
        }
    }

    public LinearShape {
        if (inFeatures % 8 != 0) {
            throw new IllegalArgumentException("a linear layer's input size must be a multiple of 8 for the CUDA"
                    + " kernels (16-byte rows), got " + inFeatures);
        }
        setBounds = setBounds.clone();
    }

    public static LinearShape dense(int outFeatures, int inFeatures) {
        return new LinearShape(outFeatures, inFeatures, null, 0, SetMode.SINGLE, new int[] {0, 0});
    }

    public boolean isAqlm() {
        return codes != null;
    }

    /** The suffix of the linear kernel for this weight format: "dense" or "w1".."w8" (code word bytes). */
    public String sourceName() {
        return codes == null ? "dense" : "w" + codes.wordBytes();
    }

    /** Bytes of all codebook sets. */
    public long codebookBytes() {
        return codes == null ? 0 : codebookSets * codes.codebookSetBytes();
    }
}
