package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * One zero-shot lm-eval task, described the way lm-eval's YAML configs describe it: where its data lives, how a
 * document becomes a prompt, its choices or target, the gold answer, and the metrics. One class for every task;
 * {@link Tasks} holds the instances. Pure Java, so a Spark driver can build requests with it.
 */
public final class TaskDefinition {
    /** How a document is scored. */
    public enum OutputType {
        /** One loglikelihood request per choice; the best choice is the prediction. */
        MULTIPLE_CHOICE("multiple_choice"),
        /** One loglikelihood request: the target after the context. */
        LOGLIKELIHOOD("loglikelihood"),
        /** The whole target through rolling windows (perplexity). */
        LOGLIKELIHOOD_ROLLING("loglikelihood_rolling");

        private final String label;

        OutputType(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The evaluated split on the Hugging Face Hub: what a Hub resolver downloads, and what a missing-data message
     * tells the user to fetch.
     *
     * @param config the dataset's configuration name, or null for its default
     */
    public record HubDataset(String path, String config, String split) {
    }

    /** lm-eval separates a context from an answer with this. */
    public static final String TARGET_DELIMITER = " ";

    private final String name;
    private final double version;
    private final HubDataset dataset;
    private final OutputType outputType;
    private final List<Metric> metrics;
    private final Function<DocumentFields, Map<String, Object>> processDocument;
    private final Function<DocumentFields, String> context;
    private final Function<DocumentFields, List<String>> choices;
    private final boolean choicesAreContexts;
    private final ToIntFunction<DocumentFields> gold;
    private final Function<DocumentFields, String> target;
    private final String countedField;
    private final Map<String, String> templates;

    private TaskDefinition(Builder builder) {
        this.name = builder.name;
        this.version = builder.version;
        this.dataset = builder.dataset;
        this.outputType = Objects.requireNonNull(builder.outputType, "output type of " + builder.name);
        this.metrics = List.copyOf(builder.metrics);
        this.processDocument = builder.processDocument;
        this.context = builder.context;
        this.choices = builder.choices;
        this.choicesAreContexts = builder.choicesAreContexts;
        this.gold = builder.gold;
        this.target = builder.target;
        this.countedField = builder.countedField;
        this.templates = Map.copyOf(builder.templates);
    }

    public static Builder builder(String name, double version, HubDataset dataset) {
        return new Builder(name, version, dataset);
    }

    public String name() {
        return name;
    }

    public double version() {
        return version;
    }

    public HubDataset dataset() {
        return dataset;
    }

    public OutputType outputType() {
        return outputType;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** lm-eval's YAML spelling of the prompt fields (doc_to_text, doc_to_target, doc_to_choice), for results files. */
    public Map<String, String> templates() {
        return templates;
    }

    /** A dataset row as this task scores it: preprocessed, with its requests, gold answer and target. */
    public TaskDocument document(int docId, JsonNode row) {
        if (!row.isObject()) {
            throw new TaskDataException(name + " document " + docId + ": expected a JSON object, found "
                    + row.getNodeType());
        }
        ObjectNode processed = ((ObjectNode) row).deepCopy();
        if (processDocument != null) {
            processDocument.apply(new DocumentFields(name, docId, row))
                    .forEach((field, value) -> processed.set(field, TaskDocument.JSON.valueToTree(value)));
        }
        DocumentFields doc = new DocumentFields(name, docId, processed);
        return switch (outputType) {
            case MULTIPLE_CHOICE -> choiceDocument(docId, doc);
            case LOGLIKELIHOOD -> {
                String answer = target.apply(doc);
                EvalRequest request = EvalRequest.loglikelihood(name, docId, 0, context.apply(doc), answer);
                yield TaskDocument.target(docId, processed, List.of(request), answer);
            }
            case LOGLIKELIHOOD_ROLLING -> {
                String text = target.apply(doc);
                String counted = doc.text(countedField);
                yield TaskDocument.rolling(docId, processed, List.of(EvalRequest.rolling(name, docId, text)), text,
                        WikitextDetokenizer.words(counted), PythonStrings.utf8Length(counted));
            }
        };
    }

    /** One request per choice: the prompt then each answer, or (multiple inputs) each context then the shared end. */
    private TaskDocument choiceDocument(int docId, DocumentFields doc) {
        List<String> options = choices.apply(doc);
        int answer = gold.applyAsInt(doc);
        if (answer < 0 || answer >= options.size()) {
            throw new TaskDataException(name + " document " + docId + ": gold answer " + answer
                    + " is not one of the " + options.size() + " choices");
        }
        List<EvalRequest> requests = new ArrayList<>();
        if (choicesAreContexts) {
            String ending = target.apply(doc);
            for (int i = 0; i < options.size(); i++) {
                requests.add(EvalRequest.loglikelihood(name, docId, i, options.get(i), TARGET_DELIMITER + ending));
            }
            return TaskDocument.choice(docId, doc.row(), requests, answer, options, ending);
        }
        String prompt = context.apply(doc);
        for (int i = 0; i < options.size(); i++) {
            requests.add(EvalRequest.loglikelihood(name, docId, i, prompt, TARGET_DELIMITER + options.get(i)));
        }
        return TaskDocument.choice(docId, doc.row(), requests, answer, options, answer);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Assembles a definition; each task sets exactly one of the three request shapes. */
    public static final class Builder {
        private final String name;
        private final double version;
        private final HubDataset dataset;
        private OutputType outputType;
        private final List<Metric> metrics = new ArrayList<>();
        private Function<DocumentFields, Map<String, Object>> processDocument;
        private Function<DocumentFields, String> context;
        private Function<DocumentFields, List<String>> choices;
        private boolean choicesAreContexts;
        private ToIntFunction<DocumentFields> gold;
        private Function<DocumentFields, String> target;
        private String countedField;
        private final Map<String, String> templates = new LinkedHashMap<>();

        private Builder(String name, double version, HubDataset dataset) {
            this.name = name;
            this.version = version;
            this.dataset = dataset;
        }

        /** lm-eval's {@code process_docs}: fields to add to each row before prompting (e.g. hellaswag's query). */
        public Builder processDocument(Function<DocumentFields, Map<String, Object>> addedFields) {
            this.processDocument = addedFields;
            return this;
        }

        /** One prompt; each choice, after {@link #TARGET_DELIMITER}, is a continuation. */
        public Builder multipleChoice(Function<DocumentFields, String> prompt,
                                      Function<DocumentFields, List<String>> answers,
                                      ToIntFunction<DocumentFields> goldIndex) {
            this.outputType = OutputType.MULTIPLE_CHOICE;
            this.context = prompt;
            this.choices = answers;
            this.gold = goldIndex;
            return this;
        }

        /** lm-eval's {@code multiple_inputs} (winogrande): each choice is a context, all share one continuation. */
        public Builder multipleInputs(Function<DocumentFields, List<String>> contexts,
                                      Function<DocumentFields, String> sharedContinuation,
                                      ToIntFunction<DocumentFields> goldIndex) {
            this.outputType = OutputType.MULTIPLE_CHOICE;
            this.choices = contexts;
            this.choicesAreContexts = true;
            this.target = sharedContinuation;
            this.gold = goldIndex;
            return this;
        }

        /** One request scoring {@code target} (given with its own leading space) after {@code prompt}. */
        public Builder loglikelihood(Function<DocumentFields, String> prompt, Function<DocumentFields, String> answer) {
            this.outputType = OutputType.LOGLIKELIHOOD;
            this.context = prompt;
            this.target = answer;
            return this;
        }

        /** Rolling log-likelihood of {@code text}; words and bytes are counted on the raw {@code countedField}. */
        public Builder rolling(Function<DocumentFields, String> text, String countedField) {
            this.outputType = OutputType.LOGLIKELIHOOD_ROLLING;
            this.target = text;
            this.countedField = countedField;
            return this;
        }

        public Builder metrics(Metric... reported) {
            metrics.addAll(List.of(reported));
            return this;
        }

        /** lm-eval's YAML fields, recorded in the results' "configs" so a reader sees what was asked. */
        public Builder templates(String docToText, String docToTarget, String docToChoice) {
            templates.put("doc_to_text", docToText);
            templates.put("doc_to_target", docToTarget);
            if (docToChoice != null) {
                templates.put("doc_to_choice", docToChoice);
            }
            return this;
        }

        public TaskDefinition build() {
            return new TaskDefinition(this);
        }
    }
}
