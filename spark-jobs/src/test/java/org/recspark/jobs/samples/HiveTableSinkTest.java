package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Which existing tables take a sample job's rows: schemas only, no Spark. */
class HiveTableSinkTest {
    private static final StructType ROWS = new StructType()
            .add("user_id", DataTypes.StringType, false)
            .add("ts", DataTypes.LongType, false)
            .add("dt", DataTypes.StringType, false)
            .add("features", new StructType().add("Age", DataTypes.createArrayType(DataTypes.LongType, false), false), false);

    @Test
    void aTableWithTheRowsColumnsInAnyOrderCaseAndNullabilityTakesThem() {
        StructType table = new StructType()
                .add("TS", DataTypes.LongType)
                .add("features", new StructType().add("age", DataTypes.createArrayType(DataTypes.LongType, true)))
                .add("user_id", DataTypes.StringType)
                .add("dt", DataTypes.StringType);
        assertEquals(List.of(), HiveTableSink.incompatibilities(table, List.of("DT"), ROWS));
    }

    @Test
    void everyMismatchIsNamed() {
        StructType table = new StructType()
                .add("user_id", DataTypes.StringType)
                .add("ts", DataTypes.IntegerType)
                .add("features", new StructType().add("age", DataTypes.createArrayType(DataTypes.FloatType)))
                .add("extra", DataTypes.DoubleType)
                .add("dt", DataTypes.StringType)
                .add("hour", DataTypes.IntegerType);
        assertEquals(List.of("the table is partitioned by [dt, hour], not by dt alone",
                "column 'ts' is int in the table, but bigint in the rows",
                "column 'features' is struct<age:array<float>> in the table, but struct<age:array<bigint>> in the rows",
                "the table's column 'extra' (double) is not among the rows' columns [user_id, ts, dt, features]",
                "the table's column 'hour' (int) is not among the rows' columns [user_id, ts, dt, features]"),
                HiveTableSink.incompatibilities(table, List.of("dt", "hour"), ROWS));
    }
}
