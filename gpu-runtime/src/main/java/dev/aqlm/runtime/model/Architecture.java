package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.CheckpointException;

/** The model families aqlm-spark runs. They share one decoder; they differ in MoE and sliding-window attention. */
public enum Architecture {
    LLAMA(false, false),
    MISTRAL(false, true),
    MIXTRAL(true, true);

    private final boolean mixtureOfExperts;
    private final boolean honoursSlidingWindow;

    Architecture(boolean mixtureOfExperts, boolean honoursSlidingWindow) {
        this.mixtureOfExperts = mixtureOfExperts;
        this.honoursSlidingWindow = honoursSlidingWindow;
    }

    public boolean mixtureOfExperts() {
        return mixtureOfExperts;
    }

    /** Llama configs may carry a sliding_window key that transformers ignores; Mistral and Mixtral apply it. */
    public boolean honoursSlidingWindow() {
        return honoursSlidingWindow;
    }

    /** From config.json's model_type, including the legacy AQLM custom-code types. */
    static Architecture fromModelType(String modelType, String where) {
        return switch (modelType) {
            case "llama", "llama_aqlm" -> LLAMA;
            case "mistral", "mistral_aqlm" -> MISTRAL;
            case "mixtral", "mixtral_aqlm" -> MIXTRAL;
            default -> throw new CheckpointException(where + ": unsupported model_type \"" + modelType
                    + "\" (aqlm-spark runs llama, mistral and mixtral)");
        };
    }
}
