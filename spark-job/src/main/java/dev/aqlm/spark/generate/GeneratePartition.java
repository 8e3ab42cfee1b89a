package dev.aqlm.spark.generate;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.runtime.generation.PromptRow;
import dev.aqlm.runtime.generation.RowRequests;
import dev.aqlm.runtime.generation.StreamingGeneration;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.executor.ModelTasks;
import dev.aqlm.spark.prompt.ChatTemplate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/**
 * The generation stage's task: a partition of canonical prompt rows ({@link PromptColumns}) in, one output row per
 * input row out, through the runtime's one streaming loop ({@link StreamingGeneration}).
 */
final class GeneratePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelDescriptor model;
    private final GenerationDefaults defaults;
    private final int queueDepth;
    private final ProgressCounters counters;
    private final FaultInjection fault;

    GeneratePartition(ModelDescriptor model, GenerationDefaults defaults, int queueDepth, ProgressCounters counters,
                      FaultInjection fault) {
        this.model = model;
        this.defaults = defaults;
        this.queueDepth = queueDepth;
        this.counters = counters;
        this.fault = fault;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return ModelTasks.mapWithModel(model, rows, (languageModel, input) -> {
            Iterator<GeneratedRow> generated = new StreamingGeneration(languageModel,
                    mapped(input, GeneratePartition::promptRow), requests(languageModel), defaults.modelLabel(),
                    queueDepth, observer());
            return mapped(generated, GeneratedRows::toSpark);
        });
    }

    private RowRequests requests(LanguageModel languageModel) {
        if (!defaults.applyChatTemplate()) {
            return new RowRequests(languageModel, defaults.values());
        }
        ChatTemplate chat = ChatTemplate.forModel(languageModel.directory(), defaults.chatTemplate());
        return new RowRequests(languageModel, defaults.values(),
                prompt -> languageModel.tokenizer().encode(chat.renderUserPrompt(prompt), false));
    }

    private StreamingGeneration.RowObserver observer() {
        return new StreamingGeneration.RowObserver() {
            @Override
            public void beforeRow(long index) {
                if (fault != null) {
                    fault.beforeRow(index);
                }
            }

            @Override
            public void handedOut(GeneratedRow row) {
                counters.record(row.promptTokens() == null ? 0 : row.promptTokens(), row.completionTokens(),
                        row.failed());
            }
        };
    }

    /** A canonical Spark row as the runtime's input row. */
    private static PromptRow promptRow(Row row) {
        String id = row.getString(PromptColumns.ID_INDEX);
        String prompt = row.getString(PromptColumns.PROMPT_INDEX);
        String malformed = row.getString(PromptColumns.MALFORMED_INDEX);
        if (malformed != null) {
            return PromptRow.unreadable(id, prompt, "the input reader could not parse this record: "
                    + (malformed.length() <= 200 ? malformed : malformed.substring(0, 200) + "..."));
        }
        Map<String, String> overrides = new HashMap<>();
        for (String name : PromptColumns.OVERRIDES) {
            String text = row.getString(PromptColumns.overrideIndex(name));
            if (text != null) {
                overrides.put(name, text);
            }
        }
        return new PromptRow(id, prompt, overrides, null);
    }

    /** {@code input}, each element passed through {@code f} as it is taken (lazily, as the partition streams). */
    private static <A, B> Iterator<B> mapped(Iterator<A> input, Function<A, B> f) {
        return new Iterator<B>() {
            @Override
            public boolean hasNext() {
                return input.hasNext();
            }

            @Override
            public B next() {
                return f.apply(input.next());
            }
        };
    }
}
