package dev.aqlm.spark.generate;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SamplingRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the engine itself generates for (id, prompt) pairs with the job's per-row seeds: the reference for job output. */
public final class ExpectedCompletions {
    private ExpectedCompletions() {
    }

    /** Completion text by id, run straight through LanguageModel (no Spark) with seeds from (job seed, id). */
    public static Map<String, GenerationResult> of(Map<String, String> promptsById, JobSpecs specs) {
        GenerationDefaults d = specs.defaults();
        try (LanguageModel model = LanguageModel.load(JobSpecs.modelDirectory(), specs.engine())) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Map.Entry<String, String> row : promptsById.entrySet()) {
                SamplingParams sampling = new SamplingParams(d.temperature(), d.topK(), d.topP(),
                        SamplingRandom.seedFor(d.jobSeed(), row.getKey()));
                requests.add(model.request(row.getKey(), row.getValue(),
                        new GenerationSettings(d.maxNewTokens(), sampling, List.of(), true, null)));
            }
            Map<String, GenerationResult> byId = new LinkedHashMap<>();
            for (GenerationResult result : model.generateRequests(requests)) {
                byId.put(result.id(), result);
            }
            return byId;
        }
    }
}
