package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Continuous batching over a backend's KV slots, independent of the backend. Requests wait in a queue; up to
 * {@code slotCount} of them are active, each in its own slot; a slot freed by a finished sequence is refilled from the
 * queue at the next step. One step is one batched forward: a decode token for every generating sequence plus prompt
 * chunks (at most {@code maxPrefillTokens} in all) for newly admitted ones. Single-threaded: the caller drives it.
 */
public final class Scheduler {
    private final Backend backend;
    private final int maxPrefillTokens;
    private final TextTokenizer tokenizer;
    private final Deque<ActiveSequence> queue = new ArrayDeque<>();
    private final ActiveSequence[] slots;
    private final List<GenerationResult> finishedEarly = new ArrayList<>();

    /** @param tokenizer turns tokens into completion text and enables stop strings; may be null for token-only use */
    public Scheduler(Backend backend, int maxPrefillTokens, TextTokenizer tokenizer) {
        this.backend = backend;
        this.maxPrefillTokens = maxPrefillTokens;
        this.tokenizer = tokenizer;
        this.slots = new ActiveSequence[backend.slotCount()];
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
        String problem = problemWith(runnable);
        if (problem != null) {
            finishedEarly.add(GenerationResult.failure(request.id(), request.promptTokens(), problem));
            return;
        }
        queue.add(new ActiveSequence(runnable, request.promptTokens().length - runnable.promptTokens().length,
                tokenizer));
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
        int prefillBudget = maxPrefillTokens;
        for (int slot = 0; slot < slots.length; slot++) {
            ActiveSequence sequence = slots[slot];
            if (sequence != null && sequence.isDecoding()) {
                chunks.add(sequence.decodeChunk(slot));
                owners.add(sequence);
            }
        }
        for (int slot = 0; slot < slots.length && prefillBudget > 0; slot++) {
            ActiveSequence sequence = slots[slot];
            if (sequence != null && !sequence.isDecoding()) {
                SequenceChunk chunk = sequence.prefillChunk(slot, prefillBudget);
                prefillBudget -= chunk.length();
                chunks.add(chunk);
                owners.add(sequence);
            }
        }
        if (chunks.isEmpty()) {
            return finished;
        }
        List<ChunkResult> results = backend.forward(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            ActiveSequence sequence = owners.get(i);
            SequenceChunk chunk = chunks.get(i);
            sequence.cached(chunk.endPosition());
            if (results.get(i).nextToken() >= 0) {
                GenerationResult result = sequence.accept(results.get(i).nextToken(), backend.contextLength());
                if (result != null) {
                    finished.add(result);
                    slots[chunk.slot()] = null;
                }
            }
        }
        return finished;
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
