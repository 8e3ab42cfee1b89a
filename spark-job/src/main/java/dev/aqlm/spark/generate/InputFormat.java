package dev.aqlm.spark.generate;

import dev.aqlm.runtime.errors.AqlmException;
import java.util.Locale;

/** The prompt file formats the job reads; chosen by --input-format or by the file extension. */
public enum InputFormat {
    JSONL, PARQUET, CSV, TEXT;

    public static InputFormat parse(String name, String option) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jsonl", "json", "ndjson" -> JSONL;
            case "parquet" -> PARQUET;
            case "csv" -> CSV;
            case "text", "txt" -> TEXT;
            default -> throw new AqlmException(option + " '" + name + "' is not an input format: use jsonl, parquet, csv or text");
        };
    }

    /** The format a file name's extension implies, or null. */
    public static InputFormat fromFileName(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|snappy|lz4)$", "");
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".ndjson")) {
            return JSONL;
        }
        if (lower.endsWith(".parquet")) {
            return PARQUET;
        }
        if (lower.endsWith(".csv")) {
            return CSV;
        }
        if (lower.endsWith(".txt") || lower.endsWith(".text")) {
            return TEXT;
        }
        return null;
    }
}
