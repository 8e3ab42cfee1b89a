package dev.aqlm.spark.eval;

import java.io.Serializable;
import java.util.Objects;

/**
 * The model's answer to one {@link EvalRequest}, under the same (task, document, index) key: the summed
 * log-likelihood and whether every scored token was the greedy choice (always false for rolling requests, which
 * lm-eval scores without it). A plain bean for Spark.
 */
public class ScoredRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private String task;
    private int docId;
    private int index;
    private double logLikelihood;
    private boolean greedy;

    public ScoredRequest() {
    }

    public ScoredRequest(String task, int docId, int index, double logLikelihood, boolean greedy) {
        this.task = task;
        this.docId = docId;
        this.index = index;
        this.logLikelihood = logLikelihood;
        this.greedy = greedy;
    }

    public static ScoredRequest of(EvalRequest request, double logLikelihood, boolean greedy) {
        return new ScoredRequest(request.getTask(), request.getDocId(), request.getIndex(), logLikelihood, greedy);
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

    public double getLogLikelihood() {
        return logLikelihood;
    }

    public void setLogLikelihood(double logLikelihood) {
        this.logLikelihood = logLikelihood;
    }

    public boolean isGreedy() {
        return greedy;
    }

    public void setGreedy(boolean greedy) {
        this.greedy = greedy;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScoredRequest that && docId == that.docId && index == that.index
                && Double.compare(logLikelihood, that.logLikelihood) == 0 && greedy == that.greedy
                && Objects.equals(task, that.task);
    }

    @Override
    public int hashCode() {
        return Objects.hash(task, docId, index, logLikelihood, greedy);
    }

    @Override
    public String toString() {
        return task + " document " + docId + " request " + index + ": " + logLikelihood + (greedy ? " (greedy)" : "");
    }
}
