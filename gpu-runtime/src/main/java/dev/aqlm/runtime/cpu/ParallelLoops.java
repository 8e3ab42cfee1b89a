package dev.aqlm.runtime.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits index ranges across a fixed pool of CPU threads. Work below a grain runs on the caller's thread: tiny models
 * issue thousands of small operations where forking would cost more than it saves.
 */
final class ParallelLoops implements AutoCloseable {
    /** Body of a loop over [from, to). */
    interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    ParallelLoops(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body over [0, count) in pieces of at least {@code grain} indices; {@code costPerIndex} (roughly, multiply-adds)
     * decides whether the loop is worth spreading at all.
     */
    void forRange(int count, long costPerIndex, RangeBody body) {
        if (pool == null || count <= 1 || count * costPerIndex < 32_768) {
            body.run(0, count);
            return;
        }
        int pieces = Math.min(count, threads * 4);
        pool.invoke(new Split(body, 0, count, Math.max(1, (count + pieces - 1) / pieces)));
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int from;
        private final int to;
        private final int grain;

        Split(RangeBody body, int from, int to, int grain) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                body.run(from, to);
                return;
            }
            int middle = (from + to) >>> 1;
            invokeAll(new Split(body, from, middle, grain), new Split(body, middle, to, grain));
        }
    }
}
