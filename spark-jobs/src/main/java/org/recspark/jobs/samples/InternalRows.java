package org.recspark.jobs.samples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Per-partition stages that work on Spark's internal rows. A {@code mapPartitions} over external
 * {@link Row}s converts every row twice (to {@code Row} and back through a generated serializer);
 * for the sample job's wide rows that conversion cost more than everything else together (44.8% of
 * its CPU at 1M events, 26.5% in one generated serializer too large for the JIT, bench/RESULTS.md).
 * Here a stage reads the rows the query produces and hands its own rows to the next operator,
 * which copies them into Spark's binary form once.
 *
 * <p>Rows given to a stage are valid until it pulls the next one; a row a stage returns may point
 * into the input row it came from, since Spark copies each output row before asking for the next.
 */
public final class InternalRows {
    private static final String ADAPTIVE = "spark.sql.adaptive.enabled";

    private InternalRows() {}

    /** Runs {@code stage} on every partition of {@code input}; {@code schema} describes its rows. */
    public static Dataset<Row> mapPartitions(Dataset<Row> input, FlatMapFunction<java.util.Iterator<InternalRow>, InternalRow> stage,
                                             StructType schema) {
        SparkSession spark = input.sparkSession();
        // Adaptive execution runs a plan's shuffles as soon as its RDD is asked for, here, while the
        // job is still being planned. Planned without it, the input runs inside the job that reads
        // the stage's rows, in order and under that job's description.
        String previous = spark.conf().get(ADAPTIVE);
        RDD<InternalRow> rows;
        spark.conf().set(ADAPTIVE, false);
        try {
            rows = ((org.apache.spark.sql.classic.Dataset<Row>) input).queryExecution().toRdd();
        } finally {
            spark.conf().set(ADAPTIVE, previous);
        }
        RDD<InternalRow> out = rows.toJavaRDD().mapPartitions(stage, true).rdd();
        return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(out, schema, false);
    }

    /** A column's value as the feature jar reads it: String, Long, Double, Boolean, List or Map; null when null. */
    public static Object toJava(InternalRow row, int ordinal, DataType type) {
        return row.isNullAt(ordinal) ? null : toJava(row.get(ordinal, type), type);
    }

    private static Object toJava(Object value, DataType type) {
        if (value == null) {
            return null;
        }
        if (value instanceof UTF8String s) {
            return s.toString();
        }
        if (type instanceof ArrayType array) {
            ArrayData data = (ArrayData) value;
            DataType element = array.elementType();
            List<Object> list = new ArrayList<>(data.numElements());
            for (int i = 0; i < data.numElements(); i++) {
                list.add(data.isNullAt(i) ? null : toJava(data.get(i, element), element));
            }
            return list;
        }
        if (type instanceof MapType map) {
            MapData data = (MapData) value;
            ArrayData keys = data.keyArray();
            ArrayData values = data.valueArray();
            Map<Object, Object> out = new LinkedHashMap<>(data.numElements() * 2);
            for (int i = 0; i < data.numElements(); i++) {
                out.put(toJava(keys.get(i, map.keyType()), map.keyType()),
                        values.isNullAt(i) ? null : toJava(values.get(i, map.valueType()), map.valueType()));
            }
            return out;
        }
        return value;
    }
}
