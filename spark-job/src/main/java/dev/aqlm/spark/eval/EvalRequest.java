package dev.aqlm.spark.eval;

import java.io.Serializable;
import java.util.Objects;

/**
 * One model request of an evaluation, keyed by (task, document, index): built on the driver, scored wherever the
 * model runs, and joined back by key. A plain bean (no-argument constructor, getters and setters) because Spark's
 * Kryo and {@code Encoders.bean} cannot handle records.
 *
 * <p>{@code type} is {@link #LOGLIKELIHOOD} (score {@code continuation} after {@code context}) or
 * {@link #LOGLIKELIHOOD_ROLLING} (score all of {@code continuation}; {@code context} is empty).
 */
public class EvalRequest implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String LOGLIKELIHOOD = "loglikelihood";
    public static final String LOGLIKELIHOOD_ROLLING = "loglikelihood_rolling";

    private String task;
    private int docId;
    private int index;
    private String type;
    private String context;
    private String continuation;

    public EvalRequest() {
    }

    public EvalRequest(String task, int docId, int index, String type, String context, String continuation) {
        this.task = task;
        this.docId = docId;
        this.index = index;
        this.type = type;
        this.context = context;
        this.continuation = continuation;
    }

    public static EvalRequest loglikelihood(String task, int docId, int index, String context, String continuation) {
        return new EvalRequest(task, docId, index, LOGLIKELIHOOD, context, continuation);
    }

    public static EvalRequest rolling(String task, int docId, String text) {
        return new EvalRequest(task, docId, 0, LOGLIKELIHOOD_ROLLING, "", text);
    }

    /** Whether this is a rolling request (not named as a bean property, so Spark's encoders do not see it). */
    public boolean rolling() {
        return LOGLIKELIHOOD_ROLLING.equals(type);
    }

    public String getTask() {
        return task;
    }

    public void setTask(String task) {
        this.task = task;
    }

    public int getDocId() {
        return docId;
    }

    public void setDocId(int docId) {
        this.docId = docId;
    }

    public int getIndex() {
        return index;
    }

    public void setIndex(int index) {
        this.index = index;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getContext() {
        return context;
    }

    public void setContext(String context) {
        this.context = context;
    }

    public String getContinuation() {
        return continuation;
    }

    public void setContinuation(String continuation) {
        this.continuation = continuation;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EvalRequest that && docId == that.docId && index == that.index
                && Objects.equals(task, that.task) && Objects.equals(type, that.type)
                && Objects.equals(context, that.context) && Objects.equals(continuation, that.continuation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(task, docId, index, type, context, continuation);
    }

    @Override
    public String toString() {
        return task + " document " + docId + " request " + index;
    }
}
