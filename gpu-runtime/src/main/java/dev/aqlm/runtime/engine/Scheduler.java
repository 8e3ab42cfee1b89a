package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Continuous batching over a backend's KV slots, independent of the backend. Requests wait in a queue; up to
 * {@code slotCount} of them are active, each in its own slot; a slot freed by a finished sequence is refilled from the
 * queue at the next step. One step is one batched forward: a decode token for every generating sequence plus prompt
 * chunks (at most {@code maxPrefillTokens} in all) for newly admitted ones. Single-threaded: the caller drives it.
 *
 * <p>A speculating sequence decodes by verification instead: its drafted tokens (prompt lookup, or an assistant model
 * drafting for all such sequences in batched passes before the step) ride in the same batch as a multi-token chunk
 * that asks for a token sampled at every position ({@link ChunkOutput.TokensAtEveryPosition}), and the tokens that
 * pass {@link DraftVerification} are appended at once. Plain and speculating sequences share every step (on CUDA one
 * captured graph serves such a mixed step).
 */
public final class Scheduler {
    private final Backend backend;
    private final int maxPrefillTokens;
    private final TextTokenizer tokenizer;
    private final Deque<ActiveSequence> queue = new ArrayDeque<>();
    private final ActiveSequence[] slots;
    private final List<GenerationResult> finishedEarly = new ArrayList<>();
    private final AssistantModels assistants;
    private final Map<String, AssistantDrafter> drafters = new HashMap<>();

    /** @param tokenizer turns tokens into completion text and enables stop strings; may be null for token-only use */
    public Scheduler(Backend backend, int maxPrefillTokens, TextTokenizer tokenizer) {
        this(backend, maxPrefillTokens, tokenizer, null);
    }

    /** @param assistants the assistant models requests may name for speculative decoding; null if none may */
    public Scheduler(Backend backend, int maxPrefillTokens, TextTokenizer tokenizer, AssistantModels assistants) {
        this.backend = backend;
        this.maxPrefillTokens = maxPrefillTokens;
        this.tokenizer = tokenizer;
        this.slots = new ActiveSequence[backend.slotCount()];
        this.assistants = assistants;
    }

    /**
     * Queues a request, its prompt truncated first if it asked for that. One that can never run (empty or over-long
     * prompt) comes back as an error at the next step.
     */
    public void submit(GenerationRequest request) {
        GenerationRequest runnable;
        try {
            runnable = PromptTruncation.fit(request, backend.contextLength(), bosTokenId());
        } catch (InvalidRequestException e) {
            finishedEarly.add(GenerationResult.failure(request.id(), request.promptTokens(), e.getMessage()));
            return;
        }
        if (runnable.speculation() instanceof Speculation.Assistant assistant) {
            drafter(assistant.model()); // loads and checks the assistant now: a bad one fails the submit, not a step
        }
        String problem = problemWith(runnable);
        if (problem != null) {
            finishedEarly.add(GenerationResult.failure(request.id(), request.promptTokens(), problem));
            return;
        }
        queue.add(new ActiveSequence(runnable, request.promptTokens().length - runnable.promptTokens().length,
                tokenizer));
    }

    private AssistantDrafter drafter(String model) {
        AssistantDrafter drafter = drafters.get(model);
        if (drafter == null) {
            if (assistants == null) {
                throw new InvalidRequestException("speculative decoding with --assistant-model " + model + " needs a"
                        + " scheduler that can load assistants (LanguageModel.newScheduler())");
            }
            Backend assistant = assistants.backendFor(model);
            if (assistant.slotCount() < slots.length || assistant.contextLength() < backend.contextLength()) {
                throw new InvalidRequestException("assistant " + model + " has " + assistant.slotCount() + " slots of "
                        + assistant.contextLength() + " positions; speculation needs at least the main model's "
                        + slots.length + " of " + backend.contextLength());
            }
            drafter = new AssistantDrafter(assistant);
            drafters.put(model, drafter);
        }
        return drafter;
    }

    /** The tokenizer's BOS, else config.json's (token-only use), or -1. */
    private int bosTokenId() {
        return tokenizer != null ? tokenizer.bosTokenId() : backend.config().bosTokenId();
    }

    private String problemWith(GenerationRequest request) {
        int length = request.promptTokens().length;
        if (length == 0) {
            return "empty prompt: at least one token (usually BOS) is needed to start generating";
        }
        if (length > backend.contextLength()) {
            return "prompt of " + length + " tokens does not fit the context window of " + backend.contextLength()
                    + " tokens; shorten it, raise --context-length (the model allows "
                    + backend.config().maxPositionEmbeddings() + "), or ask for truncation (--truncate-prompts keeps"
                    + " its end)";
        }
        if (!request.stopStrings().isEmpty() && tokenizer == null) {
            return "stop strings need the model's tokenizer, and this model has none";
        }
        return null;
    }

    public boolean hasWork() {
        return !queue.isEmpty() || !finishedEarly.isEmpty() || active() > 0;
    }

    public int queued() {
        return queue.size();
    }

    public int active() {
        int count = 0;
        for (ActiveSequence sequence : slots) {
            count += sequence == null ? 0 : 1;
        }
        return count;
    }

    public int slotCount() {
        return slots.length;
    }

    /** Admits waiting requests into free slots, runs one batched forward, and returns the sequences that finished. */
    public List<GenerationResult> step() {
        List<GenerationResult> finished = new ArrayList<>(finishedEarly);
        finishedEarly.clear();
        admit(finished);
        List<SequenceChunk> chunks = new ArrayList<>();
        List<ActiveSequence> owners = new ArrayList<>();
        List<int[]> drafts = new ArrayList<>(); // per chunk: the draft it verifies, or null
        int[][] slotDrafts = draftsBySlot();
        int prefillBudget = maxPrefillTokens;
        for (int slot = 0; slot < slots.length; slot++) {
            ActiveSequence sequence = slots[slot];
            if (sequence != null && sequence.isDecoding()) {
                int[] draft = slotDrafts[slot];
                boolean verifies = draft != null && draft.length > 0;
                chunks.add(verifies ? sequence.verificationChunk(slot, draft) : sequence.decodeChunk(slot));
                owners.add(sequence);
                drafts.add(verifies ? draft : null);
            }
        }
        for (int slot = 0; slot < slots.length && prefillBudget > 0; slot++) {
            ActiveSequence sequence = slots[slot];
            if (sequence != null && !sequence.isDecoding()) {
                SequenceChunk chunk = sequence.prefillChunk(slot, prefillBudget);
                prefillBudget -= chunk.length();
                chunks.add(chunk);
                owners.add(sequence);
                drafts.add(null);
            }
        }
        if (chunks.isEmpty()) {
            return finished;
        }
        List<ChunkResult> results = backend.forward(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            ActiveSequence sequence = owners.get(i);
            SequenceChunk chunk = chunks.get(i);
            GenerationResult result = null;
            if (drafts.get(i) != null) {
                result = sequence.verified(chunk, results.get(i).sampledTokens(), drafts.get(i),
                        backend.contextLength());
            } else {
                sequence.cached(chunk.endPosition());
                if (results.get(i).nextToken() >= 0) {
                    sequence.sampledInPass();
                    result = sequence.accept(results.get(i).nextToken(), backend.contextLength());
                }
            }
            if (result != null) {
                finished.add(result);
                slots[chunk.slot()] = null;
            }
        }
        return finished;
    }

    /**
     * This step's draft for each decoding slot that speculates (null elsewhere): prompt lookups on the host, then
     * each assistant's drafts in batched passes over all sequences that use it.
     */
    private int[][] draftsBySlot() {
        int[][] drafts = new int[slots.length][];
        Map<String, List<Integer>> byAssistant = new LinkedHashMap<>();
        for (int slot = 0; slot < slots.length; slot++) {
            ActiveSequence sequence = slots[slot];
            if (sequence == null || !sequence.isDecoding()) {
                continue;
            }
            int budget = sequence.draftBudget(backend.contextLength());
            Speculation speculation = sequence.request().speculation();
            if (budget > 0 && speculation instanceof Speculation.PromptLookup) {
                drafts[slot] = sequence.promptLookupDraft(budget);
            } else if (budget > 0 && speculation instanceof Speculation.Assistant assistant) {
                byAssistant.computeIfAbsent(assistant.model(), model -> new ArrayList<>()).add(slot);
            }
        }
        for (Map.Entry<String, List<Integer>> group : byAssistant.entrySet()) {
            List<Integer> groupSlots = group.getValue();
            List<ActiveSequence> sequences = new ArrayList<>();
            int[] budgets = new int[groupSlots.size()];
            for (int i = 0; i < budgets.length; i++) {
                sequences.add(slots[groupSlots.get(i)]);
                budgets[i] = sequences.get(i).draftBudget(backend.contextLength());
            }
            int[][] made = drafter(group.getKey()).draft(sequences, groupSlots, budgets);
            for (int i = 0; i < budgets.length; i++) {
                drafts[groupSlots.get(i)] = made[i];
            }
        }
        return drafts;
    }

    /** Steps until every submitted request has finished; results in finishing order. */
    public List<GenerationResult> runToCompletion() {
        List<GenerationResult> all = new ArrayList<>();
        while (hasWork()) {
            all.addAll(step());
        }
        return all;
    }

    private void admit(List<GenerationResult> finished) {
        for (int slot = 0; slot < slots.length && !queue.isEmpty(); slot++) {
            if (slots[slot] != null) {
                continue;
            }
            ActiveSequence sequence = queue.poll();
            if (sequence.request().maxNewTokens() == 0) {
                finished.add(sequence.finishWithoutRunning());
                slot--; // the slot is still free
                continue;
            }
            sequence.admitted();
            slots[slot] = sequence;
        }
    }
}
