package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file (as the Hugging Face Hub stores dataset splits, written by pyarrow) into JSON rows in the
 * dataset's own schema, without Spark or a Hadoop file system: parquet-hadoop's reader over a local file, the
 * library Spark itself ships. Structs become objects, LIST columns arrays (the standard three-level layout and the
 * legacy two-level one), strings text, numbers numbers.
 */
public final class ParquetRows {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ParquetRows() {
    }

    public static List<JsonNode> read(Path file) {
        List<JsonNode> rows = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
            PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = columns.getRecordReader(rowGroup, new GroupRecordConverter(schema));
                for (long r = 0; r < rowGroup.getRowCount(); r++) {
                    rows.add(object(records.read(), schema));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new TaskDataException(file + ": cannot read as Parquet (" + e.getMessage() + ")", e);
        }
        return rows;
    }

    private static ObjectNode object(Group group, GroupType type) {
        ObjectNode object = NODES.objectNode();
        for (int f = 0; f < type.getFieldCount(); f++) {
            Type field = type.getType(f);
            int count = group.getFieldRepetitionCount(f);
            if (field.isRepetition(Type.Repetition.REPEATED)) {
                ArrayNode values = object.putArray(field.getName());
                for (int i = 0; i < count; i++) {
                    values.add(value(group, f, i, field));
                }
            } else {
                object.set(field.getName(), count == 0 ? NODES.nullNode() : value(group, f, 0, field));
            }
        }
        return object;
    }

    private static JsonNode value(Group group, int field, int index, Type type) {
        if (type.isPrimitive()) {
            return primitive(group, field, index, type.asPrimitiveType());
        }
        Group child = group.getGroup(field, index);
        GroupType childType = type.asGroupType();
        if (childType.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            return list(child, childType);
        }
        return object(child, childType);
    }

    /** A LIST group holds one repeated field: the element itself, or a wrapper group around one element field. */
    private static ArrayNode list(Group list, GroupType listType) {
        ArrayNode array = NODES.arrayNode();
        Type repeated = listType.getType(0);
        int count = list.getFieldRepetitionCount(0);
        boolean wrapped = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                && !repeated.getName().equals("array") && !repeated.getName().equals(listType.getName() + "_tuple");
        for (int i = 0; i < count; i++) {
            if (!wrapped) {
                array.add(value(list, 0, i, repeated));
                continue;
            }
            Group wrapper = list.getGroup(0, i);
            Type element = repeated.asGroupType().getType(0);
            array.add(wrapper.getFieldRepetitionCount(0) == 0 ? NODES.nullNode() : value(wrapper, 0, 0, element));
        }
        return array;
    }

    private static JsonNode primitive(Group group, int field, int index, PrimitiveType type) {
        LogicalTypeAnnotation annotation = type.getLogicalTypeAnnotation();
        return switch (type.getPrimitiveTypeName()) {
            case BOOLEAN -> NODES.booleanNode(group.getBoolean(field, index));
            case INT32 -> annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal
                    ? NODES.numberNode(BigDecimal.valueOf(group.getInteger(field, index), decimal.getScale()))
                    : NODES.numberNode(group.getInteger(field, index));
            case INT64 -> annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal
                    ? NODES.numberNode(BigDecimal.valueOf(group.getLong(field, index), decimal.getScale()))
                    : NODES.numberNode(group.getLong(field, index));
            case FLOAT -> NODES.numberNode(group.getFloat(field, index));
            case DOUBLE -> NODES.numberNode(group.getDouble(field, index));
            case BINARY, FIXED_LEN_BYTE_ARRAY, INT96 -> {
                byte[] bytes = group.getBinary(field, index).getBytes();
                if (annotation instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
                    yield NODES.numberNode(new BigDecimal(new BigInteger(bytes), decimal.getScale()));
                }
                // Strings (STRING / ENUM / JSON annotations, or none from old writers) as UTF-8 text.
                yield NODES.textNode(new String(bytes, StandardCharsets.UTF_8));
            }
        };
    }
}
