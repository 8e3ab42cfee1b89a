package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * lm-eval's results file ({@code results_<date>.json}): results, group_subtasks, configs, versions, n-shot,
 * higher_is_better, n-samples, config (with the rule set, max_length and batching of this engine), and the run's
 * bookkeeping fields.
 */
public final class ResultsDocument {
    static final ObjectMapper JSON = new ObjectMapper();

    private ResultsDocument() {
    }

    public static ObjectNode build(List<TaskMetrics> tasks, EvaluationRun run, double unixTime) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode results = root.putObject("results");
        ObjectNode subtasks = root.putObject("group_subtasks");
        ObjectNode configs = root.putObject("configs");
        ObjectNode versions = root.putObject("versions");
        ObjectNode shots = root.putObject("n-shot");
        ObjectNode higherIsBetter = root.putObject("higher_is_better");
        ObjectNode samples = root.putObject("n-samples");
        for (TaskMetrics metrics : tasks) {
            TaskDefinition task = metrics.task();
            ObjectNode entry = results.putObject(task.name());
            entry.put("alias", task.name());
            for (Map.Entry<String, Object> value : metrics.results().entrySet()) {
                if (value.getValue() instanceof Double number) {
                    entry.put(value.getKey(), number);
                } else {
                    entry.put(value.getKey(), String.valueOf(value.getValue()));
                }
            }
            subtasks.putArray(task.name());
            configs.set(task.name(), config(task));
            versions.put(task.name(), task.version());
            shots.put(task.name(), 0);
            ObjectNode directions = higherIsBetter.putObject(task.name());
            task.metrics().forEach(metric -> directions.put(metric.key(), metric.higherIsBetter()));
            ObjectNode counts = samples.putObject(task.name());
            counts.put("original", metrics.originalCount());
            counts.put("effective", metrics.effectiveCount());
        }
        ObjectNode config = root.putObject("config");
        config.put("model", "aqlm-spark");
        config.put("model_args", run.modelArgs());
        config.put("batch_size", run.batchSize());
        config.putArray("batch_sizes");
        config.put("device", run.device());
        config.putNull("use_cache");
        if (run.limit() == null) {
            config.putNull("limit");
        } else {
            config.put("limit", run.limit());
        }
        config.put("bootstrap_iters", run.bootstrapIterations());
        config.putNull("gen_kwargs");
        config.put("rule", run.rule());
        config.put("max_length", run.maxLength());
        config.put("max_batch_tokens", run.maxBatchTokens());
        config.put("prefix_token_id", run.prefixTokenId());
        config.put("kv_cache", run.kvCache());
        root.putNull("git_hash");
        root.put("date", unixTime);
        putToken(root, "tokenizer_bos_token", run.bosToken());
        putToken(root, "tokenizer_eos_token", run.eosToken());
        if (run.eosToken() != null) {
            root.put("eot_token_id", ((Number) run.eosToken().get(1)).intValue());
        }
        root.put("max_length", run.maxLength());
        root.put("task_hashes", "");
        root.put("model_source", "aqlm-spark");
        root.put("model_name", run.model());
        root.put("model_name_sanitized", OutputFiles.sanitizeModelName(run.model()));
        root.put("total_evaluation_time_seconds", Double.toString(run.seconds()));
        root.put("throughput", run.throughput());
        return root;
    }

    private static void putToken(ObjectNode root, String field, List<Object> token) {
        if (token == null) {
            root.putNull(field);
            return;
        }
        ArrayNode pair = root.putArray(field);
        pair.add(String.valueOf(token.get(0)));
        pair.add(String.valueOf(token.get(1)));
    }

    /** The task's configuration as lm-eval dumps it (the YAML fields that matter for zero-shot scoring). */
    private static ObjectNode config(TaskDefinition task) {
        ObjectNode config = JSON.createObjectNode();
        config.put("task", task.name());
        config.put("dataset_path", task.dataset().path());
        if (task.dataset().config() != null) {
            config.put("dataset_name", task.dataset().config());
        }
        config.put(task.dataset().split().equals("test") ? "test_split" : "validation_split", task.dataset().split());
        config.put("output_type", task.outputType().label());
        task.templates().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(template -> config.put(template.getKey(), template.getValue()));
        config.put("target_delimiter", TaskDefinition.TARGET_DELIMITER);
        config.put("fewshot_delimiter", "\n\n");
        config.put("num_fewshot", 0);
        ArrayNode metrics = config.putArray("metric_list");
        for (Metric metric : task.metrics()) {
            ObjectNode entry = metrics.addObject();
            entry.put("metric", metric.key());
            entry.put("aggregation", metric.aggregation().label());
            entry.put("higher_is_better", metric.higherIsBetter());
        }
        config.putObject("metadata").put("version", task.version());
        return config;
    }
}
