package dev.aqlm.spark.generate;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Locale;

/** How results are written: Parquet (default) or JSON lines. */
public enum OutputFormat {
    PARQUET("parquet"), JSONL("json");

    private final String sparkSource;

    OutputFormat(String sparkSource) {
        this.sparkSource = sparkSource;
    }

    /** The name of Spark's data source for this format. */
    public String sparkSource() {
        return sparkSource;
    }

    public static OutputFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "parquet" -> PARQUET;
            case "jsonl", "json" -> JSONL;
            default -> throw new AqlmException("--output-format '" + name + "' is not supported: use parquet or jsonl");
        };
    }
}
