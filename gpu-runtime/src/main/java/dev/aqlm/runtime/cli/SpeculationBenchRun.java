package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.bench.SpeculationBenchResult;
import dev.aqlm.runtime.bench.SpeculationBenchmark;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.io.OutputFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code bench --speculation-tokens K}: each model with a second copy of itself as the drafter, at each batch size. */
final class SpeculationBenchRun {
    private final EngineOptions options;
    private final List<Integer> batches;
    private final int promptLength;
    private final int newTokens;
    private final int draftTokens;

    SpeculationBenchRun(EngineOptions engine, List<Integer> batches, int promptLength, int newTokens, int draftTokens) {
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        // Room for the prompt, the new tokens and a full draft past the last one.
        this.options = engine.withSlots(maxBatch).withContextLength(promptLength + newTokens + draftTokens + 1)
                .withMaxPrefillTokens(Math.max(promptLength, 16) * maxBatch);
        this.batches = batches;
        this.promptLength = promptLength;
        this.newTokens = newTokens;
        this.draftTokens = draftTokens;
    }

    int run(Map<String, Path> models, String command, OutputFile file) {
        List<SpeculationBenchResult> rows = new ArrayList<>();
        for (Map.Entry<String, Path> entry : models.entrySet()) {
            try (LanguageModel model = ModelLoading.load(entry.getValue(), options);
                 LanguageModel drafter = ModelLoading.load(entry.getValue(), options)) {
                SpeculationBenchmark benchmark = new SpeculationBenchmark(model, drafter, entry.getKey());
                for (int batch : batches) {
                    rows.addAll(benchmark.run(batch, promptLength, newTokens, draftTokens));
                }
            }
        }
        SpeculationBenchmark.printTable(rows, System.out);
        SpeculationBenchmark.writeJson(rows, command, file);
        System.err.println("wrote " + file.path());
        return 0;
    }
}
