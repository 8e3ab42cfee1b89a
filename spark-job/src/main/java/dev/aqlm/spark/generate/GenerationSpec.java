package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationValues;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.Speculation;
import java.util.List;

/**
 * What to generate with, whatever the prompts come from (a DataFrame in a notebook, or the file job's input): the
 * model and engine, the sampling settings every row starts from, and how the prompt rows name their columns. Lives on
 * the driver; executors get only the {@link dev.aqlm.spark.executor.ModelDescriptor} and {@link GenerationDefaults}.
 *
 * @param model          checkpoint directory or Hugging Face Hub id, as the user gave it (the output's model column)
 * @param promptColumn   the column holding the prompt text
 * @param idColumn       null: the "id" column if there is one, else ids numbered by position (file job: file and row)
 * @param rowOverrides   use the rows' override columns ({@link PromptColumns#OVERRIDES}) where present
 * @param partitions     generation tasks; 0 = the input's partitions, spread over the cluster's cores
 * @param queueDepth     requests waiting in each task's scheduler queue (0 = twice the slots)
 * @param faultInjection a deliberate failure for fault-tolerance tests ({@link dev.aqlm.spark.executor.FaultInjection}), or null
 */
public record GenerationSpec(String model, EngineOptions engine, GenerationDefaults defaults, String promptColumn,
                             String idColumn, boolean rowOverrides, int partitions, int queueDepth,
                             String faultInjection) {

    /**
     * Settings with the command line's defaults (greedy, 128 new tokens, prompts in column "prompt"), for programs and
     * notebooks: {@code GenerationSpec.builder(model).maxNewTokens(32).temperature(0.8).seed(42).build()}.
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /**
     * Queue depth per task: as asked, else enough to refill every slot twice over (with {@code --slots auto}, known
     * only once an executor has loaded the model, the default slot count's worth).
     */
    int effectiveQueueDepth() {
        int slots = engine.autoSlots() ? EngineOptions.DEFAULTS.slots() : engine.slots();
        return queueDepth > 0 ? queueDepth : 2 * slots;
    }

    /** Builds a {@link GenerationSpec}. */
    public static final class Builder extends Settings<Builder> {
        private Builder(String model) {
            super(model);
        }

        public GenerationSpec build() {
            return generationSpec();
        }
    }

    /**
     * The generation setters, shared by this spec's builder and the file job's ({@link GenerateJobSpec.Builder}),
     * so both take the same settings under the same names; every setter has the CLI option's default.
     */
    public abstract static class Settings<B extends Settings<B>> {
        private final String model;
        private String promptColumn = "prompt";
        private String idColumn;
        private boolean rowOverrides = true;
        private EngineOptions engine = EngineOptions.DEFAULTS;
        private GenerationValues values = GenerationValues.DEFAULTS;
        private boolean chat;
        private String chatTemplate;
        private int partitions;
        private int queueDepth;
        private String faultInjection;

        Settings(String model) {
            this.model = model;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        public B promptColumn(String value) {
            promptColumn = value;
            return self();
        }

        /** Null: the "id" column if the prompts have one, else ids numbered by position. */
        public B idColumn(String value) {
            idColumn = value;
            return self();
        }

        public B rowOverrides(boolean value) {
            rowOverrides = value;
            return self();
        }

        public B engine(EngineOptions value) {
            engine = value;
            return self();
        }

        /** Splits the model over {@code shards} GPUs per task (vLLM's tensor_parallel_size); see EngineOptions. */
        public B tensorParallel(int shards) {
            engine = engine.withTensorParallel(shards);
            return self();
        }

        /** The KV cache format ({@code --kv-cache-bits}, {@code --kv-group-size}, {@code --kv-residual-length}). */
        public B kvCache(KvCacheFormat value) {
            engine = engine.withKvCache(value);
            return self();
        }

        /** Any {@link GenerationOptions} entry; a bad value fails now, naming the option. */
        public <T> B set(GenerationOption<T> option, T value) {
            values = values.with(option, value);
            return self();
        }

        /** Every generation option at once (e.g. what a command line parsed). */
        public B values(GenerationValues value) {
            values = value;
            return self();
        }

        public B maxNewTokens(int value) {
            return set(GenerationOptions.MAX_NEW_TOKENS, value);
        }

        /** Absent (the default): greedy, unless top-k, top-p or min-p is set, then 1.0 ({@link GenerationValues#temperature()}). */
        public B temperature(double value) {
            return set(GenerationOptions.TEMPERATURE, value);
        }

        public B topK(int value) {
            return set(GenerationOptions.TOP_K, value);
        }

        public B topP(double value) {
            return set(GenerationOptions.TOP_P, value);
        }

        public B minP(double value) {
            return set(GenerationOptions.MIN_P, value);
        }

        /** The job seed: each row samples with a seed derived from (this, row id), unless it has a seed column. */
        public B seed(long value) {
            return set(GenerationOptions.SEED, value);
        }

        public B stopStrings(List<String> value) {
            return set(GenerationOptions.STOP, List.copyOf(value));
        }

        public B stopAtEos(boolean value) {
            return set(GenerationOptions.IGNORE_EOS, !value);
        }

        /** Format prompts with the tokenizer's chat template, or with {@code template} when it is not null. */
        public B chat(boolean value, String template) {
            chat = value || template != null;
            chatTemplate = template;
            return self();
        }

        /**
         * Cut a prompt that leaves no room for max_new_tokens in the context window (its BOS and its last tokens are
         * kept; the row's truncated_prompt_tokens says how many were dropped) instead of making it an error row.
         */
        /**
         * Draft several tokens per forward pass by prompt lookup or with an assistant model
         * ({@code new Speculation.PromptLookup(4, 2)}, {@code new Speculation.Assistant(dir, 5)}); the rows' tokens
         * are the same as without, their drafted/accepted/forward-pass columns say what it did.
         */
        public B speculation(Speculation value) {
            values = values.withSpeculation(value == null ? Speculation.NONE : value);
            return self();
        }

        public B truncatePrompts(boolean value) {
            return set(GenerationOptions.TRUNCATE_PROMPTS, value);
        }

        public B partitions(int value) {
            partitions = value;
            return self();
        }

        public B queueDepth(int value) {
            queueDepth = value;
            return self();
        }

        public B faultInjection(String value) {
            faultInjection = value;
            return self();
        }

        GenerationSpec generationSpec() {
            GenerationDefaults defaults = new GenerationDefaults(model, values, chat, chatTemplate);
            return new GenerationSpec(model, engine, defaults, promptColumn, idColumn, rowOverrides, partitions,
                    queueDepth, faultInjection);
        }
    }
}
