package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.shiftright;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Ids for inputs without an id column: {@code <file>:<n>}, the file's path below the input folder and the row's
 * 1-based position among that file's records. Stable across runs, retries and cluster layouts (as long as the input
 * files are unchanged), so resume and seeds work without an id column.
 *
 * <p>How: a row's position in its scan partition is known (monotonically_increasing_id), and a file's rows are
 * scanned in order across its splits. A first pass counts each (file, partition) run of rows; the driver turns the runs
 * into per-file offsets; the second pass adds the offset of the row's run (a small broadcast join).
 */
final class RowIds {
    static final String COLUMN = "__aqlm_row_id";
    private static final String FILE = "__aqlm_file";
    private static final String POSITION = "__aqlm_position";
    private static final String PARTITION = "__aqlm_partition";
    private static final String DELTA = "__aqlm_delta";
    private static final String NAME = "__aqlm_name";
    /** monotonically_increasing_id puts the partition index above the low 33 bits. */
    private static final int PARTITION_SHIFT = 33;

    private final SparkSession spark;
    private final Dataset<Row> raw;
    private long rowCount = -1;

    RowIds(SparkSession spark, Dataset<Row> raw) {
        this.spark = spark;
        this.raw = raw;
    }

    Dataset<Row> withIds() {
        Dataset<Row> positioned = raw.withColumn(FILE, col("_metadata.file_path"))
                .withColumn(POSITION, monotonically_increasing_id())
                .withColumn(PARTITION, shiftright(col(POSITION), PARTITION_SHIFT));
        List<Row> runs = positioned.groupBy(FILE, PARTITION)
                .agg(min(POSITION).as("first"), count(lit(1)).as("rows")).collectAsList();
        Dataset<Row> offsets = broadcast(spark.createDataFrame(offsets(runs), new StructType()
                .add(FILE, DataTypes.StringType).add(PARTITION, DataTypes.LongType)
                .add(DELTA, DataTypes.LongType).add(NAME, DataTypes.StringType)));
        return positioned.join(offsets, scala.jdk.javaapi.CollectionConverters.asScala(List.of(FILE, PARTITION)).toSeq())
                .withColumn(COLUMN, concat(col(NAME), lit(":"),
                        col(POSITION).plus(col(DELTA)).plus(1).cast(DataTypes.StringType)))
                .drop(FILE, POSITION, PARTITION, DELTA, NAME);
    }

    /** Rows in the input (known after {@link #withIds()}). */
    long rowCount() {
        return rowCount;
    }

    /** Per run: the value that turns a position in the partition into a 0-based row number in its file. */
    private List<Row> offsets(List<Row> runs) {
        Map<String, List<Row>> byFile = new LinkedHashMap<>();
        long total = 0;
        for (Row run : runs) {
            byFile.computeIfAbsent(run.getString(0), f -> new ArrayList<>()).add(run);
            total += run.getLong(3);
        }
        rowCount = total;
        Map<String, String> names = relativeNames(new TreeSet<>(byFile.keySet()));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<Row>> file : byFile.entrySet()) {
            List<Row> ordered = new ArrayList<>(file.getValue());
            ordered.sort(Comparator.comparingLong(run -> run.getLong(2)));
            long before = 0;
            for (Row run : ordered) {
                rows.add(RowFactory.create(file.getKey(), run.getLong(1), before - run.getLong(2), names.get(file.getKey())));
                before += run.getLong(3);
            }
        }
        return rows;
    }

    /** File paths without the folder they all share: "prompts.jsonl", or "part-a/x.jsonl" for nested inputs. */
    static Map<String, String> relativeNames(TreeSet<String> paths) {
        String common = paths.isEmpty() ? "" : paths.first();
        for (String path : paths) {
            int length = 0;
            while (length < common.length() && length < path.length() && common.charAt(length) == path.charAt(length)) {
                length++;
            }
            common = common.substring(0, length);
        }
        int cut = common.lastIndexOf('/') + 1;
        Map<String, String> names = new LinkedHashMap<>();
        for (String path : paths) {
            names.put(path, path.substring(cut));
        }
        return names;
    }
}
