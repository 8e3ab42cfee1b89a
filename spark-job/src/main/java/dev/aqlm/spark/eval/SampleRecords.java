package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * lm-eval's per-document sample records ({@code samples_<task>_<date>.jsonl} with {@code --log_samples}): doc_id,
 * the (preprocessed) doc, target, arguments per request, resps and filtered_resps as Python's {@code str} of each
 * value, the filter, the metric names, the SHA-256 doc/prompt/target hashes, and the document's metric values.
 */
public final class SampleRecords {
    private SampleRecords() {
    }

    public static List<ObjectNode> of(TaskMetrics metrics) {
        List<ObjectNode> records = new ArrayList<>();
        for (TaskMetrics.DocumentScores scores : metrics.documents()) {
            records.add(record(metrics.task(), scores));
        }
        return records;
    }

    private static ObjectNode record(TaskDefinition task, TaskMetrics.DocumentScores scores) {
        TaskDocument document = scores.document();
        ObjectNode record = ResultsDocument.JSON.createObjectNode();
        record.put("doc_id", document.docId());
        record.set("doc", document.row());
        String target = String.valueOf(document.target());
        record.put("target", target);
        ObjectNode arguments = record.putObject("arguments");
        ArrayNode resps = record.putArray("resps");
        ArrayNode filtered = record.putArray("filtered_resps");
        for (int r = 0; r < document.requests().size(); r++) {
            EvalRequest request = document.requests().get(r);
            ScoredRequest response = scores.responses().get(r);
            ObjectNode args = arguments.putObject("gen_args_" + r);
            if (request.rolling()) {
                args.put("arg_0", request.getContinuation());
                String value = PythonFloats.repr(response.getLogLikelihood());
                resps.addArray().add(value);
                filtered.add(value);
            } else {
                args.put("arg_0", request.getContext());
                args.put("arg_1", request.getContinuation());
                ArrayNode pair = resps.addArray().addArray();
                pair.add(PythonFloats.repr(response.getLogLikelihood()));
                pair.add(PythonFloats.repr(response.isGreedy()));
                filtered.add(pair.deepCopy());
            }
        }
        record.put("filter", TaskMetrics.FILTER);
        ArrayNode names = record.putArray("metrics");
        task.metrics().forEach(metric -> names.add(metric.key()));
        record.put("doc_hash", sha256(PythonJson.dumps(document.row())));
        String prompt = document.requests().get(0).rolling() ? document.requests().get(0).getContinuation()
                : document.requests().get(0).getContext();
        record.put("prompt_hash", sha256(prompt));
        record.put("target_hash", sha256(target));
        for (Map.Entry<Metric, double[]> value : scores.values().entrySet()) {
            double[] item = value.getValue();
            if (value.getKey().isWeighted()) {
                ArrayNode pair = record.putArray(value.getKey().key());
                pair.add(item[0]);
                pair.add((long) item[1]);
            } else {
                record.put(value.getKey().key(), item[0]);
            }
        }
        return record;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
