package dev.aqlm.runtime;

import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ContextLimits;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.engine.Scheduler;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.model.WeightsLoader;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import dev.aqlm.runtime.scoring.RequestEncoder;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.runtime.tokenizer.SharedTokenizerCheck;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one entry point shared by the CLI, the Spark jobs and notebooks: load a checkpoint directory onto a backend,
 * generate text, read logits, close. Operations on one model run one at a time (the backend's KV slots are shared).
 */
public final class LanguageModel implements AutoCloseable {
    private final Path directory;
    private final ModelConfig config;
    private final Checkpoint checkpoint;
    private final ModelWeights weights;
    private final Backend backend;
    private final TextTokenizer tokenizer;
    private final EngineOptions options;
    private final Set<Integer> eosTokenIds;
    private final Map<String, LanguageModel> assistants = new HashMap<>();

    private LanguageModel(Path directory, ModelConfig config, Checkpoint checkpoint, ModelWeights weights,
                          Backend backend, TextTokenizer tokenizer, EngineOptions options) {
        this.directory = directory;
        this.config = config;
        this.checkpoint = checkpoint;
        this.weights = weights;
        this.backend = backend;
        this.tokenizer = tokenizer;
        this.options = options;
        Set<Integer> eos = new LinkedHashSet<>(config.eosTokenIds());
        if (tokenizer != null) {
            eos.addAll(tokenizer.eosTokenIds());
        }
        this.eosTokenIds = Set.copyOf(eos);
    }

    /** Loads {@code directory} (config.json, safetensors, tokenizer files if present) onto the chosen backend. */
    public static LanguageModel load(Path directory, EngineOptions options) {
        ModelConfig config = ModelConfigReader.read(directory);
        ContextLimits.requireWithinModel(options.contextLength(), "context length", config);
        TensorParallelPlan.of(config, options.tensorParallel()); // an impossible split fails before any weight is read
        Checkpoint checkpoint = Checkpoint.open(directory);
        TextTokenizer tokenizer = null;
        try {
            tokenizer = TextTokenizer.existsIn(directory) ? TextTokenizer.load(directory) : null;
            ModelWeights weights = WeightsLoader.load(checkpoint, config);
            Backend backend = Backends.open(weights, options);
            return new LanguageModel(directory, config, checkpoint, weights, backend, tokenizer, options);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            checkpoint.close();
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public ModelConfig config() {
        return config;
    }

    /** The checkpoint's tensors by role (still mapped from the files). */
    public ModelWeights weights() {
        return weights;
    }

    public Backend backend() {
        return backend;
    }

    public EngineOptions options() {
        return options;
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    /** The tokenizer, or an error saying the model directory has none. */
    public TextTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new AqlmException(directory + " has no tokenizer.json; text prompts need the model's tokenizer files");
        }
        return tokenizer;
    }

    /** End-of-sequence ids from config.json and tokenizer_config.json. */
    public Set<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** A token-level request for a text prompt (tokenized with the tokenizer's special tokens, e.g. BOS). */
    public GenerationRequest request(String id, String prompt, GenerationSettings settings) {
        return request(id, tokenizer().encode(prompt), settings);
    }

    public GenerationRequest request(String id, int[] promptTokens, GenerationSettings settings) {
        return new GenerationRequest(id, promptTokens, settings.sampling(), settings.maxNewTokens(),
                settings.stopAtEos() ? eosTokenIds : Set.of(), settings.stopStrings(), settings.listener(),
                settings.truncatePrompts(), settings.speculation());
    }

    /** A scheduler over this model's backend, for callers that stream requests through it (e.g. a Spark partition). */
    public Scheduler newScheduler() {
        return new Scheduler(backend, options.maxPrefillTokens(), tokenizer, this::assistantBackend);
    }

    /**
     * The backend of an assistant model for speculative decoding, loaded on first use with this model's engine options
     * (the same slots, context and device) and kept until this model closes.
     *
     * @param reference a checkpoint directory or Hugging Face Hub id
     */
    public synchronized Backend assistantBackend(String reference) {
        LanguageModel assistant = assistants.get(reference);
        if (assistant == null) {
            Path assistantDirectory = ModelLocation.resolve(reference);
            SharedTokenizerCheck.require(directory, config, assistantDirectory,
                    ModelConfigReader.read(assistantDirectory));
            assistant = load(assistantDirectory, options);
            assistants.put(reference, assistant);
        }
        return assistant.backend();
    }

    public synchronized GenerationResult generate(String prompt, GenerationSettings settings) {
        return generate(List.of(prompt), settings).get(0);
    }

    /** Generates a completion for each prompt with continuous batching; results in the prompts' order. */
    public synchronized List<GenerationResult> generate(List<String> prompts, GenerationSettings settings) {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            requests.add(request(Integer.toString(i), prompts.get(i), settings));
        }
        return generateRequests(requests);
    }

    /** Runs token-level requests to completion; results in the requests' order. */
    public synchronized List<GenerationResult> generateRequests(List<GenerationRequest> requests) {
        Scheduler scheduler = newScheduler();
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            if (order.put(requests.get(i).id(), i) != null) {
                throw new InvalidRequestException("two requests share the id '" + requests.get(i).id()
                        + "'; ids must be unique within a call");
            }
            scheduler.submit(requests.get(i));
        }
        List<GenerationResult> results = scheduler.runToCompletion();
        results.sort(Comparator.comparing(result -> order.get(result.id())));
        return results;
    }

    /** fp32 logits at every position of one token sequence (it runs in slot 0 from position 0). */
    public synchronized float[][] logits(int[] tokens) {
        return backend.forward(List.of(new SequenceChunk(0, 0, tokens, ChunkOutput.ALL_LOGITS))).get(0).logits();
    }

    /**
     * lm-eval-style log-likelihood scoring on this model's backend. The scorer uses the backend's KV slots: do not
     * generate with this model while a scoring call runs.
     */
    public Scorer scorer(ScoringSettings settings) {
        return new Scorer(backend, new RequestEncoder(tokenizer(), settings.rules()), settings);
    }

    @Override
    public synchronized void close() {
        assistants.values().forEach(LanguageModel::close);
        assistants.clear();
        backend.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
        checkpoint.close();
    }
}
