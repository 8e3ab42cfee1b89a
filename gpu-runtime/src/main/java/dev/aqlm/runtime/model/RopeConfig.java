package dev.aqlm.runtime.model;

/**
 * Rotary position embedding parameters, as config.json gives them in {@code rope_theta}/{@code rope_scaling} or in the
 * newer {@code rope_parameters}. Frequencies follow transformers' rope initialisation functions.
 */
public record RopeConfig(double theta, Scaling scaling, double factor, double lowFrequencyFactor,
                         double highFrequencyFactor, int originalMaxPositions) {

    public enum Scaling { DEFAULT, LINEAR, LLAMA3 }

    public static RopeConfig unscaled(double theta) {
        return new RopeConfig(theta, Scaling.DEFAULT, 1, 1, 1, 0);
    }

    public static RopeConfig llama3(double theta, double factor, double lowFrequencyFactor, double highFrequencyFactor,
                                    int originalMaxPositions) {
        return new RopeConfig(theta, Scaling.LLAMA3, factor, lowFrequencyFactor, highFrequencyFactor,
                originalMaxPositions);
    }

    /** inv_freq[i] for i in [0, rotaryDim/2): the angle per position of dimension pair i. */
    public double[] inverseFrequencies(int rotaryDim) {
        double[] inverse = new double[rotaryDim / 2];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 1.0 / Math.pow(theta, (2.0 * i) / rotaryDim);
        }
        switch (scaling) {
            case DEFAULT -> { }
            case LINEAR -> {
                for (int i = 0; i < inverse.length; i++) {
                    inverse[i] /= factor;
                }
            }
            case LLAMA3 -> applyLlama3(inverse);
        }
        return inverse;
    }

    /** Llama 3.1: long wavelengths slowed by factor, short ones kept, a smooth blend between the two bands. */
    private void applyLlama3(double[] inverse) {
        double lowFrequencyWavelength = originalMaxPositions / lowFrequencyFactor;
        double highFrequencyWavelength = originalMaxPositions / highFrequencyFactor;
        for (int i = 0; i < inverse.length; i++) {
            double wavelength = 2 * Math.PI / inverse[i];
            if (wavelength > lowFrequencyWavelength) {
                inverse[i] /= factor;
            } else if (wavelength >= highFrequencyWavelength) {
                double smooth = (originalMaxPositions / wavelength - lowFrequencyFactor)
                        / (highFrequencyFactor - lowFrequencyFactor);
                inverse[i] = (1 - smooth) * inverse[i] / factor + smooth * inverse[i];
            }
        }
    }
}
