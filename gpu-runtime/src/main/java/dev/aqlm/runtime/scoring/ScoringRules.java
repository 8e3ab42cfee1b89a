package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which lm-evaluation-harness version's request-building rules to follow. They differ in whether the tokenizer adds
 * its special tokens (e.g. BOS) when encoding, and in the prefix token that stands in for an empty context and starts
 * the first rolling window. Everything else (whole-string split, whitespace move, truncation, windows) is shared.
 */
public enum ScoringRules {
    /**
     * lm-eval >= 0.4.9.2: the tokenizer's own default special tokens; BOS as the prefix token (EOS if there is no BOS);
     * an empty context whose continuation already starts with the prefix token uses that token as its context.
     */
    CURRENT("current"),
    /** lm-eval 0.4.0 (behind AQLM's published tables): no special tokens; EOS as the prefix token. */
    V0_4_0("v0.4.0");

    private final String label;

    ScoringRules(String label) {
        this.label = label;
    }

    /** The name users type ({@code --rule v0.4.0}) and results files record. */
    public String label() {
        return label;
    }

    public static ScoringRules parse(String text) {
        for (ScoringRules rules : values()) {
            if (rules.label.equalsIgnoreCase(text.trim()) || rules.name().equalsIgnoreCase(text.trim())) {
                return rules;
            }
        }
        throw new InvalidRequestException("unknown lm-eval rule set '" + text + "'; choose one of "
                + Arrays.stream(values()).map(ScoringRules::label).toList());
    }

    /** Whether encoding adds the special tokens of tokenizer.json's post-processor. */
    public boolean addsSpecialTokens() {
        return this == CURRENT;
    }

    /** Whether an empty context takes over a continuation's leading prefix token instead of adding another. */
    public boolean reusesLeadingPrefixToken() {
        return this == CURRENT;
    }

    /** The token that conditions an empty context and the first rolling window. */
    public int prefixToken(TextTokenizer tokenizer) {
        int eos = tokenizer.eosTokenIds().isEmpty() ? -1 : tokenizer.eosTokenIds().iterator().next();
        int prefix = this == CURRENT && tokenizer.bosTokenId() >= 0 ? tokenizer.bosTokenId() : eos;
        if (prefix < 0) {
            throw new InvalidRequestException(String.format(Locale.ROOT, "%s: the tokenizer names no %s token, which"
                    + " lm-eval's %s rules need as the prefix token; set it in tokenizer_config.json",
                    tokenizer.directory(), this == CURRENT ? "BOS or EOS" : "EOS", label));
        }
        return prefix;
    }

    @Override
    public String toString() {
        return label;
    }
}
