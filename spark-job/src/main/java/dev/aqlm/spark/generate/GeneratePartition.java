package dev.aqlm.spark.generate;

import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.executor.ModelTasks;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/** The generation stage's task: a partition of canonical prompt rows in, one output row per input row out. */
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
        return ModelTasks.mapWithModel(model, rows,
                (languageModel, input) -> new StreamingGeneration(languageModel, input, defaults, queueDepth, counters,
                        fault));
    }
}
