package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.PythonWhitespace;
import dev.aqlm.spark.eval.TaskDefinition.HubDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zero-shot tasks of lm-evaluation-harness that AQLM's tables report, defined as lm-eval defines them (prompts,
 * choices, gold answers, splits, metrics, versions; see the project's lmeval reference).
 */
public final class Tasks {
    private static final Map<String, TaskDefinition> ALL = new LinkedHashMap<>();

    static {
        add(TaskDefinition.builder("hellaswag", 1.0, new HubDataset("Rowan/hellaswag", null, "validation"))
                .processDocument(Tasks::hellaswagFields)
                .multipleChoice(doc -> doc.text("query"), doc -> doc.texts("choices"), doc -> doc.integer("label"))
                .templates("{{query}}", "{{label}}", "choices")
                .metrics(Metric.ACC, Metric.ACC_NORM));
        add(TaskDefinition.builder("piqa", 1.0, new HubDataset("baber/piqa", null, "validation"))
                .multipleChoice(doc -> "Question: " + doc.text("goal") + "\nAnswer:",
                        doc -> List.of(doc.text("sol1"), doc.text("sol2")), doc -> doc.integer("label"))
                .templates("Question: {{goal}}\nAnswer:", "label", "{{[sol1, sol2]}}")
                .metrics(Metric.ACC, Metric.ACC_NORM));
        add(arc("arc_easy", "ARC-Easy"));
        add(arc("arc_challenge", "ARC-Challenge"));
        add(TaskDefinition.builder("winogrande", 1.0,
                        new HubDataset("allenai/winogrande", "winogrande_xl", "validation"))
                .multipleInputs(Tasks::winograndeContexts, Tasks::winograndeContinuation, Tasks::winograndeGold)
                .templates("{'1': 0, '2': 1}[answer]", "sentence[sentence.index('_') + 1:].strip()",
                        "[sentence[:sentence.index('_')] + option for option in (option1, option2)]")
                .metrics(Metric.ACC));
        add(TaskDefinition.builder("lambada_openai", 1.0,
                        new HubDataset("EleutherAI/lambada_openai", "default", "test"))
                .loglikelihood(doc -> lambadaContext(doc.text("text")), doc -> lambadaTarget(doc.text("text")))
                .templates("{{text.split(' ')[:-1]|join(' ')}}", "{{' '+text.split(' ')[-1]}}", null)
                .metrics(Metric.PERPLEXITY, Metric.ACC));
        add(TaskDefinition.builder("boolq", 2.0, new HubDataset("aps/super_glue", "boolq", "validation"))
                .multipleChoice(doc -> doc.text("passage") + "\nQuestion: " + doc.text("question") + "?\nAnswer:",
                        doc -> List.of("no", "yes"), doc -> doc.integer("label"))
                .templates("{{passage}}\nQuestion: {{question}}?\nAnswer:", "label", "['no', 'yes']")
                .metrics(Metric.ACC));
        add(TaskDefinition.builder("openbookqa", 1.0, new HubDataset("allenai/openbookqa", "main", "test"))
                .multipleChoice(doc -> doc.text("question_stem"), doc -> doc.texts("choices.text"),
                        doc -> doc.indexIn("choices.label", PythonWhitespace.lstrip(doc.text("answerKey"))))
                .templates("question_stem", "{{choices.label.index(answerKey.lstrip())}}", "{{choices.text}}")
                .metrics(Metric.ACC, Metric.ACC_NORM));
        add(TaskDefinition.builder("wikitext", 2.0,
                        new HubDataset("EleutherAI/wikitext_document_level", "wikitext-2-raw-v1", "test"))
                .rolling(doc -> WikitextDetokenizer.detokenize(doc.text("page")), "page")
                .templates("", "wikitext_detokenizer(page)", null)
                .metrics(Metric.WORD_PERPLEXITY, Metric.BYTE_PERPLEXITY, Metric.BITS_PER_BYTE));
    }

    private Tasks() {
    }

    private static void add(TaskDefinition.Builder builder) {
        TaskDefinition task = builder.build();
        ALL.put(task.name(), task);
    }

    /** lm-eval's hellaswag {@code process_docs} adds these fields, in this order, to each row. */
    private static Map<String, Object> hellaswagFields(DocumentFields doc) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("query", HellaswagPreprocessing.query(doc.text("activity_label"), doc.text("ctx_a"),
                doc.text("ctx_b")));
        fields.put("choices", doc.texts("endings").stream().map(HellaswagPreprocessing::preprocess).toList());
        fields.put("gold", doc.integer("label"));
        return fields;
    }

    private static TaskDefinition.Builder arc(String name, String config) {
        return TaskDefinition.builder(name, 1.0, new HubDataset("allenai/ai2_arc", config, "test"))
                .multipleChoice(doc -> "Question: " + doc.text("question") + "\nAnswer:",
                        doc -> doc.texts("choices.text"), doc -> doc.indexIn("choices.label", doc.text("answerKey")))
                .templates("Question: {{question}}\nAnswer:", "{{choices.label.index(answerKey)}}", "{{choices.text}}")
                .metrics(Metric.ACC, Metric.ACC_NORM);
    }

    /** The sentence up to the blank, completed by each option (the options differ, so the contexts do). */
    private static List<String> winograndeContexts(DocumentFields doc) {
        String head = doc.text("sentence").substring(0, blank(doc));
        return List.of(head + doc.text("option1"), head + doc.text("option2"));
    }

    /** Everything after the blank, scored after either context. */
    private static String winograndeContinuation(DocumentFields doc) {
        return PythonWhitespace.strip(doc.text("sentence").substring(blank(doc) + 1));
    }

    private static int winograndeGold(DocumentFields doc) {
        return switch (doc.text("answer")) {
            case "1" -> 0;
            case "2" -> 1;
            default -> throw doc.problem("answer", "should be \"1\" or \"2\", found '" + doc.text("answer") + "'");
        };
    }

    private static int blank(DocumentFields doc) {
        int blank = doc.text("sentence").indexOf('_');
        if (blank < 0) {
            throw doc.problem("sentence", "has no '_' blank to fill");
        }
        return blank;
    }

    /** All words but the last, split and joined on single spaces as {@code text.split(' ')} does. */
    static String lambadaContext(String text) {
        String[] words = text.split(" ", -1);
        return String.join(" ", Arrays.copyOf(words, words.length - 1));
    }

    static String lambadaTarget(String text) {
        String[] words = text.split(" ", -1);
        return " " + words[words.length - 1];
    }

    /** The task of that name, or an error listing the known ones. */
    public static TaskDefinition named(String name) {
        TaskDefinition task = ALL.get(name.trim());
        if (task == null) {
            throw new TaskDataException("unknown task '" + name + "'; known tasks: " + String.join(", ", ALL.keySet()));
        }
        return task;
    }

    /** Tasks from a comma-separated list, in the order given, each once. */
    public static List<TaskDefinition> parse(String commaSeparated) {
        List<TaskDefinition> tasks = new ArrayList<>();
        for (String name : commaSeparated.split(",")) {
            if (!name.isBlank() && !tasks.contains(named(name))) {
                tasks.add(named(name));
            }
        }
        if (tasks.isEmpty()) {
            throw new TaskDataException("no tasks given; known tasks: " + String.join(", ", ALL.keySet()));
        }
        return tasks;
    }

    public static List<TaskDefinition> all() {
        return List.copyOf(ALL.values());
    }
}
