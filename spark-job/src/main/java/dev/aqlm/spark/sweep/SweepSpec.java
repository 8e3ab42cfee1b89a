package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.spark.eval.TaskMetrics;
import java.nio.file.Path;
import java.util.List;

/**
 * What a Spark evaluation is asked to do: models × tasks (one model for {@code eval --spark}). Lives on the driver;
 * executors get a {@link dev.aqlm.spark.executor.ModelDescriptor} and the scoring settings.
 *
 * @param models          checkpoint directories visible to every executor, or Hub ids, as the user gave them
 * @param tasks           comma-separated task names
 * @param data            the driver's folder of task files (requests are built on the driver)
 * @param maxLength       lm-eval's max_length, or null for each model's max_position_embeddings
 * @param partitions      scoring tasks; 0 = the cluster's default parallelism
 * @param requestsPerCall requests per engine call inside a partition (whole prefix groups): more keeps the KV slots
 *                        fuller at the end of each call, fewer reports progress more often
 * @param faultInjection  a deliberate failure for fault-tolerance tests ({@link dev.aqlm.spark.executor.FaultInjection},
 *                        counting engine calls), or null
 */
public record SweepSpec(List<String> models, String tasks, Path data, Path output, Integer maxLength,
                        ScoringRules rules, Double limit, boolean logSamples, int bootstrapIterations,
                        int maxBatchTokens, EngineOptions engine, int partitions, int requestsPerCall,
                        double progressIntervalSeconds, String faultInjection) {
    public static final int DEFAULT_REQUESTS_PER_CALL = 4096;

    public SweepSpec {
        models = List.copyOf(models);
    }

    /** A spec with the command line's defaults: {@code SweepSpec.builder(models, tasks, data, output).build()}. */
    public static Builder builder(List<String> models, String tasks, Path data, Path output) {
        return new Builder(models, tasks, data, output);
    }

    /** Builds a {@link SweepSpec}; every setter has the CLI option's default. */
    public static final class Builder {
        private final List<String> models;
        private final String tasks;
        private final Path data;
        private final Path output;
        private Integer maxLength;
        private ScoringRules rules = ScoringRules.CURRENT;
        private Double limit;
        private boolean logSamples;
        private int bootstrapIterations = TaskMetrics.DEFAULT_BOOTSTRAP_ITERATIONS;
        private int maxBatchTokens = ScoringSettings.DEFAULT_MAX_BATCH_TOKENS;
        private EngineOptions engine = EngineOptions.DEFAULTS;
        private int partitions;
        private int requestsPerCall = DEFAULT_REQUESTS_PER_CALL;
        private double progressIntervalSeconds = 5;
        private String faultInjection;

        private Builder(List<String> models, String tasks, Path data, Path output) {
            this.models = models;
            this.tasks = tasks;
            this.data = data;
            this.output = output;
        }

        public Builder maxLength(Integer value) {
            maxLength = value;
            return this;
        }

        public Builder rules(ScoringRules value) {
            rules = value;
            return this;
        }

        public Builder limit(Double value) {
            limit = value;
            return this;
        }

        public Builder logSamples(boolean value) {
            logSamples = value;
            return this;
        }

        public Builder bootstrapIterations(int value) {
            bootstrapIterations = value;
            return this;
        }

        public Builder maxBatchTokens(int value) {
            maxBatchTokens = value;
            return this;
        }

        public Builder engine(EngineOptions value) {
            engine = value;
            return this;
        }

        /** Splits each model over {@code shards} GPUs per task (vLLM's tensor_parallel_size); see EngineOptions. */
        public Builder tensorParallel(int shards) {
            engine = engine.withTensorParallel(shards);
            return this;
        }

        /** The KV cache format ({@code --kv-cache-bits}, {@code --kv-group-size}, {@code --kv-residual-length}). */
        public Builder kvCache(KvCacheFormat value) {
            engine = engine.withKvCache(value);
            return this;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder requestsPerCall(int value) {
            requestsPerCall = value;
            return this;
        }

        public Builder progressIntervalSeconds(double value) {
            progressIntervalSeconds = value;
            return this;
        }

        /** {@code poison-context:partition=P:after=N}: partition P's first attempt fails after N engine calls. */
        public Builder faultInjection(String value) {
            faultInjection = value;
            return this;
        }

        public SweepSpec build() {
            return new SweepSpec(models, tasks, data, output, maxLength, rules, limit, logSamples,
                    bootstrapIterations, maxBatchTokens, engine, partitions, requestsPerCall, progressIntervalSeconds,
                    faultInjection);
        }
    }
}
