package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.List;

/** Range checks of numeric options, with one wording: the option, the bound and the value given. */
public final class OptionChecks {
    private OptionChecks() {
    }

    public static void requireAtLeast(String option, long value, long minimum) {
        if (value < minimum) {
            throw new AqlmException(option + " must be " + minimum + " or more, got " + value);
        }
    }

    /** For real-valued options: NaN and infinities are refused too. */
    public static void requireAtLeast(String option, double value, double minimum) {
        if (!(value >= minimum) || Double.isInfinite(value)) {
            throw new AqlmException(option + " must be a number, " + minimum + " or more, got " + value);
        }
    }

    /** The measuring options both bench commands share. */
    static void requireBenchRun(List<Integer> batches, int promptLength, int decodeSteps, int warmupSteps,
                                int prefillRepeats) {
        batches.forEach(batch -> requireAtLeast("--batch", batch, 1));
        requireAtLeast("--prompt-length", promptLength, 1);
        requireAtLeast("--decode-steps", decodeSteps, 1);
        requireAtLeast("--warmup-steps", warmupSteps, 0);
        requireAtLeast("--prefill-repeats", prefillRepeats, 1);
    }
}
