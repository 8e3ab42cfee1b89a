package dev.aqlm.spark.generate;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.GenerationValues;
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
                GenerationValues v = d.values();
                SamplingParams sampling = new SamplingParams(v.temperature(), v.get(GenerationOptions.TOP_K),
                        v.get(GenerationOptions.TOP_P), v.get(GenerationOptions.MIN_P),
                        SamplingRandom.seedFor(v.get(GenerationOptions.SEED), row.getKey()));
                GenerationSettings settings = new GenerationSettings(v.get(GenerationOptions.MAX_NEW_TOKENS), sampling,
                        List.of(), true, null, v.get(GenerationOptions.TRUNCATE_PROMPTS));
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
