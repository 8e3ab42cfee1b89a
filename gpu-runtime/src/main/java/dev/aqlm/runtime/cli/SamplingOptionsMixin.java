package dev.aqlm.runtime.cli;

import dev.aqlm.runtime.AqlmException;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Generation options shared by the generate commands: greedy unless a sampling option is given. */
public class SamplingOptionsMixin {
    @Option(names = "--max-new-tokens", defaultValue = "128", description = "tokens to generate at most (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", description = "sampling temperature; 0 or absent = greedy (unless --top-k/--top-p are given, then 1.0)")
    Double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens; 0 = all")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass; 1.0 = all")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--stop", description = "stop when the completion contains this text (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "keep generating after the end-of-sequence token")
    boolean ignoreEos;

    @Option(names = "--truncate-prompts", description = "a prompt that leaves no room for --max-new-tokens in the"
            + " context window keeps its BOS and its last tokens instead of failing (the dropped count is reported)")
    boolean truncatePrompts;

    public SamplingParams toSamplingParams() {
        boolean samplingAsked = topK > 0 || topP < 1.0;
        double t = temperature != null ? temperature : (samplingAsked ? 1.0 : 0.0);
        return new SamplingParams(t, topK, topP, seed);
    }

    public GenerationSettings toSettings() {
        OptionChecks.requireAtLeast("--max-new-tokens", maxNewTokens, 0);
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new AqlmException("--stop must not be empty: an empty stop string would end every completion at once");
        }
        return new GenerationSettings(maxNewTokens, toSamplingParams(), stop, !ignoreEos, null, truncatePrompts);
    }
}
