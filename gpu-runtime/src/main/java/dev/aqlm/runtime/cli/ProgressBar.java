package dev.aqlm.runtime.cli;

import java.io.PrintStream;

/** A one-line progress report on stderr: done/total, tokens/s and ETA, redrawn at most five times a second. */
public final class ProgressBar {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String unit;
    private final long total;
    private final long startedAt = System.nanoTime();
    private long lastDrawn;
    private long done;
    private long tokens;

    public ProgressBar(PrintStream out, String unit, long total) {
        this.out = out;
        this.unit = unit;
        this.total = total;
    }

    public void advance(long items, long generatedTokens) {
        done += items;
        tokens += generatedTokens;
        long now = System.nanoTime();
        if (now - lastDrawn >= REDRAW_NANOS || done == total) {
            lastDrawn = now;
            out.print("\r" + line(now));
            out.flush();
        }
    }

    public void finish() {
        out.println("\r" + line(System.nanoTime()));
    }

    public double tokensPerSecond() {
        return tokens / seconds(System.nanoTime());
    }

    private String line(long now) {
        double seconds = seconds(now);
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        double rate = done / seconds;
        String eta = rate > 0 && done < total ? " ETA " + formatSeconds((total - done) / rate) : "";
        return String.format("[%s] %d/%d %s  %.1f tok/s  %s%s", bar, done, total, unit, tokens / seconds,
                formatSeconds(seconds), eta);
    }

    private double seconds(long now) {
        return Math.max(1e-9, (now - startedAt) / 1e9);
    }

    static String formatSeconds(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
