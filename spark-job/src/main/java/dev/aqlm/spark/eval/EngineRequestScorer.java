package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.LoglikelihoodRequest;
import dev.aqlm.runtime.scoring.Loglikelihood;
import dev.aqlm.runtime.scoring.RequestEncoder;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.scoring.TokenizedRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores requests on a model's {@link Scorer}: all of them in one engine call, rolling windows included, so that
 * identical requests meet, choices share their context's KV cache and the slots stay full. Usable as is inside a
 * Spark partition (one scorer per executor model).
 */
public final class EngineRequestScorer implements RequestScorer {
    private final Scorer scorer;

    public EngineRequestScorer(Scorer scorer) {
        this.scorer = scorer;
    }

    @Override
    public List<ScoredRequest> score(List<EvalRequest> requests) {
        RequestEncoder encoder = scorer.encoder();
        int maxLength = scorer.settings().maxLength();
        List<TokenizedRequest> tokens = new ArrayList<>();
        int[] firstWindow = new int[requests.size()];
        for (int r = 0; r < requests.size(); r++) {
            EvalRequest request = requests.get(r);
            firstWindow[r] = tokens.size();
            if (request.rolling()) {
                tokens.addAll(encoder.rollingWindows(request.getContinuation(), maxLength));
            } else {
                TokenizedRequest pair = encoder.encode(new LoglikelihoodRequest(request.getContext(),
                        request.getContinuation()));
                if (pair.continuation().length > maxLength) {
                    throw new TaskDataException(request + ": its continuation is " + pair.continuation().length
                            + " tokens, longer than --max-length " + maxLength + "; lm-eval cannot score it either");
                }
                tokens.add(pair);
            }
        }
        List<Loglikelihood> scored = scorer.score(tokens);
        List<ScoredRequest> results = new ArrayList<>(requests.size());
        for (int r = 0; r < requests.size(); r++) {
            EvalRequest request = requests.get(r);
            int end = r + 1 < requests.size() ? firstWindow[r + 1] : tokens.size();
            if (request.rolling()) {
                double sum = 0;
                for (int w = firstWindow[r]; w < end; w++) {
                    sum += scored.get(w).logLikelihood();
                }
                results.add(ScoredRequest.of(request, sum, false));
            } else {
                Loglikelihood answer = scored.get(firstWindow[r]);
                results.add(ScoredRequest.of(request, answer.logLikelihood(), answer.isGreedy()));
            }
        }
        return results;
    }
}
