package dev.aqlm.runtime.cuda;

/**
 * Limits of moe.cu's routing kernel: one thread routes a row, keeping the softmax of its router logits in a register
 * array of {@link #MAX_EXPERTS} floats and the chosen experts in a 64-bit mask, so a layer with more experts would write
 * past the array, and a top-k larger than the expert count would pick expert -1.
 */
final class MoePlan {
    /** moe.cu's kMaxExperts. */
    public static final int MAX_EXPERTS = 64;

    private MoePlan() {
    }

    /** Why the CUDA kernels cannot route this mixture of experts, or null. */
    public static String unsupportedReason(int experts, int expertsPerToken) {
        if (experts < 1 || experts > MAX_EXPERTS) {
            return experts + " experts per layer are not supported by the CUDA routing kernel (1 to " + MAX_EXPERTS + ")";
        }
        if (expertsPerToken < 1 || expertsPerToken > experts) {
            return "num_experts_per_tok " + expertsPerToken + " must be between 1 and the " + experts + " experts";
        }
        return null;
    }
}
