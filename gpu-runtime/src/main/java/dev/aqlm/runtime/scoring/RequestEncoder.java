package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns text requests into token requests as lm-evaluation-harness does for causal models: trailing whitespace of the
 * context moves to the continuation; the whole string is encoded once and split at the length of the encoded
 * context (so a continuation is never tokenized on its own); an empty context becomes the prefix token.
 */
public final class RequestEncoder {
    private final TextTokenizer tokenizer;
    private final ScoringRules rules;
    private final int prefixToken;

    public RequestEncoder(TextTokenizer tokenizer, ScoringRules rules) {
        this.tokenizer = tokenizer;
        this.rules = rules;
        this.prefixToken = rules.prefixToken(tokenizer);
    }

    public ScoringRules rules() {
        return rules;
    }

    public int prefixToken() {
        return prefixToken;
    }

    public TokenizedRequest encode(LoglikelihoodRequest request) {
        String context = request.context();
        String continuation = request.continuation();
        if (context.isEmpty()) {
            return encodeWithoutContext(continuation);
        }
        int moved = context.length() - PythonWhitespace.rstrip(context).length();
        if (moved > 0) {
            continuation = context.substring(context.length() - moved) + continuation;
            context = context.substring(0, context.length() - moved);
        }
        int[] whole = encode(context + continuation);
        int[] contextTokens = encode(context);
        int split = Math.min(contextTokens.length, whole.length);
        return new TokenizedRequest(Arrays.copyOf(whole, split), Arrays.copyOfRange(whole, split, whole.length));
    }

    /** The tokens {@code loglikelihood_rolling} scores: the whole text, encoded under the rules' special tokens. */
    public int[] encodeDocument(String text) {
        return encode(text);
    }

    /** lm-eval's disjoint rolling windows over the encoded text, each conditioned on the token before it. */
    public List<TokenizedRequest> rollingWindows(String text, int maxLength) {
        return RollingWindows.of(encodeDocument(text), prefixToken, maxLength);
    }

    private TokenizedRequest encodeWithoutContext(String continuation) {
        int[] tokens = tokenizer.encode(continuation, false);
        if (rules.reusesLeadingPrefixToken() && tokens.length > 0 && tokens[0] == prefixToken) {
            return new TokenizedRequest(new int[] {prefixToken}, Arrays.copyOfRange(tokens, 1, tokens.length));
        }
        return new TokenizedRequest(new int[] {prefixToken}, tokens);
    }

    private int[] encode(String text) {
        int[] tokens = tokenizer.encode(text, rules.addsSpecialTokens());
        // lm-eval >= 0.4.9.2 adds no second BOS to text that already starts with the BOS string.
        int bos = tokenizer.bosTokenId();
        if (rules.addsSpecialTokens() && bos >= 0 && tokens.length >= 2 && tokens[0] == bos && tokens[1] == bos) {
            return Arrays.copyOfRange(tokens, 1, tokens.length);
        }
        return tokens;
    }
}
