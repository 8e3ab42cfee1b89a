package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The output schema as Spark sees it: {@link GeneratedRow#COLUMNS} (the one row schema of every generation path),
 * typed for Spark. Column names are {@link GeneratedRow}'s constants.
 */
public final class GeneratedRows {
    private static final Map<Class<?>, DataType> SPARK_TYPES = Map.of(String.class, DataTypes.StringType,
            Integer.class, DataTypes.IntegerType, Long.class, DataTypes.LongType, Double.class, DataTypes.DoubleType);

    public static final StructType SCHEMA = new StructType(GeneratedRow.COLUMNS.stream()
            .map(column -> DataTypes.createStructField(column.name(), SPARK_TYPES.get(column.type()), column.nullable()))
            .toArray(StructField[]::new));

    /** Columns that depend on timing, not on the model and settings: excluded when runs are compared. */
    public static final List<String> TIMING_COLUMNS = GeneratedRow.TIMING_COLUMNS;

    private GeneratedRows() {
    }

    public static Row toSpark(GeneratedRow row) {
        return RowFactory.create(row.values());
    }
}
