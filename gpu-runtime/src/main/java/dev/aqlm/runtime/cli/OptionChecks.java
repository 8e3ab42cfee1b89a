package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.AqlmException;

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
}
