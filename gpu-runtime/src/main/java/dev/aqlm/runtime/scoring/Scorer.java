package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.errors.AqlmException;
import java.util.ArrayList;
import java.util.List;

/**
 * lm-evaluation-harness's {@code loglikelihood} and {@code loglikelihood_rolling} on any {@link Backend}: requests are
 * encoded by lm-eval's rules ({@link RequestEncoder}), truncated like lm-eval's HF model, deduplicated, grouped by
 * shared prefix and batched across the backend's KV slots; log-softmax and argmax come from the backend in fp32
 * ({@code TargetLogProbs}) and are summed here in double.
 *
 * <p>Not thread-safe; it uses the backend's KV slots, so nothing else may run on that backend during a call.
 * Pass all requests of an evaluation in one call: that is where deduplication and batching pay off.
 */
public final class Scorer {
    private final Backend backend;
    private final RequestEncoder encoder;
    private final ScoringSettings settings;
    private final ScoringStats stats = new ScoringStats();
    private ScoringProgress progress = ScoringProgress.NONE;

    public Scorer(Backend backend, RequestEncoder encoder, ScoringSettings settings) {
        if (encoder.rules() != settings.rules()) {
            throw new IllegalArgumentException("the encoder follows " + encoder.rules() + " rules, the settings "
                    + settings.rules());
        }
        if (settings.maxLength() > backend.contextLength()) {
            throw new AqlmException("max length " + settings.maxLength() + " does not fit the backend's context of "
                    + backend.contextLength() + " positions; raise --context-length or lower --max-length");
        }
        this.backend = backend;
        this.encoder = encoder;
        this.settings = settings;
    }

    public RequestEncoder encoder() {
        return encoder;
    }

    public ScoringSettings settings() {
        return settings;
    }

    /** Costs summed over every call so far. */
    public ScoringStats stats() {
        return stats;
    }

    public Scorer withProgress(ScoringProgress listener) {
        this.progress = listener == null ? ScoringProgress.NONE : listener;
        return this;
    }

    /** {@code loglikelihood} of each text request; results in the requests' order. */
    public List<Loglikelihood> loglikelihood(List<LoglikelihoodRequest> requests) {
        List<TokenizedRequest> tokenized = new ArrayList<>(requests.size());
        for (LoglikelihoodRequest request : requests) {
            tokenized.add(encoder.encode(request));
        }
        return score(tokenized);
    }

    /** {@code loglikelihood_rolling} of each text: the summed log-likelihood over its disjoint windows. */
    public List<Double> loglikelihoodRolling(List<String> texts) {
        List<TokenizedRequest> windows = new ArrayList<>();
        int[] windowCount = new int[texts.size()];
        for (int t = 0; t < texts.size(); t++) {
            List<TokenizedRequest> ofText = encoder.rollingWindows(texts.get(t), settings.maxLength());
            windowCount[t] = ofText.size();
            windows.addAll(ofText);
        }
        List<Loglikelihood> scored = score(windows);
        List<Double> totals = new ArrayList<>(texts.size());
        int next = 0;
        for (int count : windowCount) {
            double sum = 0;
            for (int w = 0; w < count; w++) {
                sum += scored.get(next++).logLikelihood();
            }
            totals.add(sum);
        }
        return totals;
    }

    /** Scores token requests (pairs from {@link RequestEncoder#encode} or rolling windows); results in order. */
    public List<Loglikelihood> score(List<TokenizedRequest> requests) {
        long start = System.nanoTime();
        ScoringPlan plan = new ScoringPlan(requests, settings.maxLength());
        List<Loglikelihood> distinct = new SlotBatcher(backend, settings.maxBatchTokens(), progress).run(plan, stats);
        List<Loglikelihood> results = new ArrayList<>(requests.size());
        for (int input : plan.inputOfRequest) {
            results.add(input < 0 ? Loglikelihood.EMPTY : distinct.get(input));
        }
        stats.requests += requests.size();
        stats.distinctInputs += plan.inputs.size();
        stats.requestedTokens += plan.requestedTokens;
        stats.nanos += System.nanoTime() - start;
        return results;
    }
}
