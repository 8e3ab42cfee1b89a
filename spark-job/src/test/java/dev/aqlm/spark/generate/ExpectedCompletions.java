package dev.aqlm.spark.generate;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SamplingRandom;
import dev.aqlm.spark.prompt.ChatTemplate;
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
        try (LanguageModel model = LanguageModel.load(specs.model(), specs.engine())) {
            List<GenerationRequest> requests = new ArrayList<>();
            for (Map.Entry<String, String> row : promptsById.entrySet()) {
                SamplingParams sampling = new SamplingParams(d.temperature(), d.topK(), d.topP(),
                        SamplingRandom.seedFor(d.jobSeed(), row.getKey()));
                GenerationSettings settings = new GenerationSettings(d.maxNewTokens(), sampling, List.of(), true, null,
                        d.truncatePrompts());
                int[] tokens = d.applyChatTemplate()
                        ? model.tokenizer().encode(ChatTemplate.forModel(specs.model(), null).renderUserPrompt(row.getValue()), false)
                        : model.tokenizer().encode(row.getValue());
                requests.add(model.request(row.getKey(), tokens, settings));
            }
            Map<String, GenerationResult> byId = new LinkedHashMap<>();
            for (GenerationResult result : model.generateRequests(requests)) {
                byId.put(result.id(), result);
            }
            return byId;
        }
    }
}
