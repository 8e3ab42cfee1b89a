package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.model.ModelConfig;

/**
 * What a model's config allows of the lengths a user asks for, checked before any weights are loaded: a context past
 * max_position_embeddings puts tokens at positions the model was never trained on, and a completion budget that fills
 * the whole context leaves no room for any prompt. One wording for every option that sets a length.
 */
public final class ContextLimits {
    private ContextLimits() {
    }

    /** Refuses a length ({@code --context-length}, eval's {@code --max-length}) past the model's positions. */
    public static void requireWithinModel(int length, String option, ModelConfig config) {
        if (length > config.maxPositionEmbeddings()) {
            throw new InvalidRequestException(option + " " + length + " exceeds the model's max_position_embeddings "
                    + config.maxPositionEmbeddings() + " (config.json): positions past it were never trained;"
                    + " use at most " + config.maxPositionEmbeddings());
        }
    }

    /** Refuses options no request could satisfy: a context past the model's, or no room left for a prompt. */
    public static void requireUsable(EngineOptions options, int maxNewTokens, ModelConfig config) {
        requireWithinModel(options.contextLength(), "--context-length", config);
        int context = options.effectiveContextLength(config.maxPositionEmbeddings());
        if (maxNewTokens >= context) {
            throw new InvalidRequestException("--max-new-tokens " + maxNewTokens + " leaves no room for a prompt in a"
                    + " context of " + context + " positions: lower it below " + context
                    + (options.contextLength() == 0 ? "" : " or raise --context-length"));
        }
    }
}
