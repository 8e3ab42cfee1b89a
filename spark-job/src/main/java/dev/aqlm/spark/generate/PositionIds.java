package dev.aqlm.spark.generate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Ids for a prompts DataFrame without an id column: the row's 1-based position in the DataFrame ("1", "2", ...).
 * Seeds derive from ids, so these are only as stable as the DataFrame's order: fixed for a local collection or files
 * read in order, not after a shuffle. A DataFrame whose order is not fixed should carry its own id column.
 */
final class PositionIds {
    static final String COLUMN = "__aqlm_position_id";

    private PositionIds() {
    }

    /** The records with a {@link #COLUMN} of positions (counting each partition's rows runs one Spark job now). */
    static Dataset<Row> add(Dataset<Row> records) {
        StructType schema = records.schema().add(COLUMN, DataTypes.StringType, false);
        JavaRDD<Row> numbered = records.javaRDD().zipWithIndex().map(PositionIds::withPosition);
        return records.sparkSession().createDataFrame(numbered, schema);
    }

    private static Row withPosition(Tuple2<Row, Long> record) {
        Row row = record._1();
        Object[] values = new Object[row.length() + 1];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        values[row.length()] = Long.toString(record._2() + 1);
        return RowFactory.create(values);
    }
}
