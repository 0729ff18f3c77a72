package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.MapType;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.TableInput;
import org.recspark.config.proto.TableInput.OnDuplicateKey;

/**
 * A users or items table as the sample job looks it up: at most one row per key (with {@code dt}
 * for daily snapshot tables) under the table's {@code on_duplicate_key} policy, and for every key
 * that cannot be used (its row was rejected, or it is duplicated under REJECT) the reason, so the
 * impressions of that key are rejected with it instead of silently losing the side's fields.
 */
public final class SideTable {
    static final String LOOKUP_KEY = "_side_key";
    static final String LOOKUP_DT = "_side_dt";
    static final String LOOKUP_REASON = "_side_reason";
    private static final int DUPLICATE_EXAMPLES = 5;

    private final Dataset<Row> unique;
    private final Dataset<Row> lookup;
    private final Dataset<Row> rejects;
    private final String key;
    private final boolean snapshot;

    private SideTable(Dataset<Row> unique, Dataset<Row> lookup, Dataset<Row> rejects, String key, boolean snapshot) {
        this.unique = unique;
        this.lookup = lookup;
        this.rejects = rejects;
        this.key = key;
        this.snapshot = snapshot;
    }

    /**
     * @param key       the key column (input_config.user_id_field or item_id_field)
     * @param configPath input_config.users or input_config.items
     * @throws ConfigException under FAIL, when a key has several rows
     */
    public static SideTable of(TableLoader.Loaded loaded, TableInput table, String key, String configPath) {
        Dataset<Row> rows = loaded.rows();
        boolean snapshot = List.of(rows.columns()).contains(SampleBuildJob.DT);
        Column[] keyColumns = snapshot ? new Column[] {col(key), col(SampleBuildJob.DT)} : new Column[] {col(key)};
        OnDuplicateKey policy = table.getOnDuplicateKey();
        String duplicate = "duplicate " + key + (snapshot ? " and dt" : "") + " in " + configPath;
        Dataset<Row> counted = rows.withColumn("_key_rows", count(lit(1)).over(Window.partitionBy(keyColumns)));
        Dataset<Row> unique;
        Dataset<Row> dropped;
        List<Dataset<Row>> keyReasons = new ArrayList<>();
        switch (policy) {
            case FAIL -> {
                failOnDuplicates(rows, keyColumns, key, configPath, loaded.source());
                unique = rows;
                dropped = null;
            }
            case REJECT -> {
                unique = counted.where(col("_key_rows").equalTo(1)).drop("_key_rows");
                dropped = counted.where(col("_key_rows").gt(1)).withColumn(TableLoader.REASON,
                        concat(lit(duplicate + " ("), col("_key_rows").cast("string"), lit(" rows; on_duplicate_key: REJECT)")))
                        .drop("_key_rows");
                keyReasons.add(withReason(dropped, keyColumns, lit(duplicate + " (on_duplicate_key: REJECT)")));
            }
            case KEEP_FIRST -> {
                Dataset<Row> ranked = counted.withColumn("_key_rank",
                        row_number().over(Window.partitionBy(keyColumns).orderBy(firstOrder(rows))));
                unique = ranked.where(col("_key_rank").equalTo(1)).drop("_key_rows", "_key_rank");
                dropped = ranked.where(col("_key_rank").gt(1)).withColumn(TableLoader.REASON,
                        lit(duplicate + " (on_duplicate_key: KEEP_FIRST kept another row)")).drop("_key_rows", "_key_rank");
            }
            default -> throw new IllegalArgumentException("unknown on_duplicate_key " + policy);
        }
        keyReasons.add(withReason(unique, keyColumns, lit(null).cast("string")));
        keyReasons.add(withReason(loaded.rejectedRows().where(col(key).isNotNull()), keyColumns,
                concat(lit("its " + configPath + " row was rejected: "), col(TableLoader.REASON))));
        // A key is usable when all its reasons are null: min() skips nulls, so any reason wins.
        Dataset<Row> lookup = keyReasons.stream().reduce(Dataset::unionByName).orElseThrow()
                .groupBy(keyColumns).agg(min(col(LOOKUP_REASON)).as(LOOKUP_REASON)).withColumnRenamed(key, LOOKUP_KEY);
        if (snapshot) {
            lookup = lookup.withColumnRenamed(SampleBuildJob.DT, LOOKUP_DT);
        }
        Column[] tableColumns = TableLoader.columnsOf(table);
        Dataset<Row> rejects = dropped == null ? loaded.rejects() : loaded.rejects().unionByName(dropped.select(
                lit(configPath).as("table"), col(TableLoader.REASON).as("reason"), to_json(struct(tableColumns)).as("row")));
        return new SideTable(unique, lookup, rejects, key, snapshot);
    }

    private static Dataset<Row> withReason(Dataset<Row> rows, Column[] keyColumns, Column reason) {
        Column[] columns = Arrays.copyOf(keyColumns, keyColumns.length + 1);
        columns[keyColumns.length] = reason.as(LOOKUP_REASON);
        return rows.select(columns);
    }

    /** FAIL: one pass over the (small) table, before any sample is built. */
    private static void failOnDuplicates(Dataset<Row> rows, Column[] keyColumns, String key, String configPath, String source) {
        Dataset<Row> duplicated = rows.groupBy(keyColumns).count().where(col("count").gt(1));
        List<Row> examples = duplicated.orderBy(col("count").desc(), keyColumns[0]).limit(DUPLICATE_EXAMPLES).collectAsList();
        if (examples.isEmpty()) {
            return;
        }
        long keys = duplicated.count();
        List<String> shown = new ArrayList<>();
        for (Row r : examples) {
            shown.add(r.get(0) + (keyColumns.length > 1 ? "@" + r.get(1) : "") + " (" + r.getLong(r.length() - 1) + " rows)");
        }
        throw new ConfigException("input " + source, List.of(new Violation(configPath + ".on_duplicate_key",
                keys + " " + key + (keys == 1 ? " value has" : " values have") + " several rows in " + source + ", e.g. " + String.join(", ", shown)
                        + "; on_duplicate_key is FAIL (the default): fix the table, or set KEEP_FIRST or REJECT")));
    }

    /**
     * KEEP_FIRST's order: every column in declared order, ascending, nulls first; maps (not
     * orderable) by their JSON text. The whole row's JSON breaks any remaining tie.
     */
    private static Column[] firstOrder(Dataset<Row> rows) {
        List<Column> order = new ArrayList<>();
        for (var field : rows.schema().fields()) {
            Column c = field.dataType() instanceof MapType ? to_json(col(field.name())) : col(field.name());
            order.add(c.asc_nulls_first());
        }
        order.add(to_json(struct(Arrays.stream(rows.columns()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new))).asc());
        return order.toArray(Column[]::new);
    }

    /** One row per key: what samples are joined with. */
    public Dataset<Row> rows() {
        return unique;
    }

    /** This table's rejected rows (malformed, and duplicates under REJECT or KEEP_FIRST) as {@code table, reason, row}. */
    Dataset<Row> rejects() {
        return rejects;
    }

    /**
     * The samples with {@code reasonColumn} set, where it is null, to why this side cannot serve
     * the sample: "unknown KEY" or the side's reason for the key. Keeps one row per sample: the
     * lookup holds one row per key.
     */
    Dataset<Row> check(Dataset<Row> samples, String reasonColumn) {
        Column on = samples.col(key).equalTo(col(LOOKUP_KEY));
        if (snapshot) {
            on = on.and(samples.col(SampleBuildJob.DT).equalTo(col(LOOKUP_DT)));
        }
        String unknown = snapshot ? "unknown " + key + " on the sample's dt" : "unknown " + key;
        Column[] sampleColumns = Arrays.stream(samples.columns()).filter(c -> !c.equals(reasonColumn)).map(samples::col)
                .toArray(Column[]::new);
        Column reason = coalesce(samples.col(reasonColumn), when(col(LOOKUP_KEY).isNull(), lit(unknown)).otherwise(col(LOOKUP_REASON)));
        Column[] columns = Arrays.copyOf(sampleColumns, sampleColumns.length + 1);
        columns[sampleColumns.length] = reason.as(reasonColumn);
        return samples.join(lookup, on, "left").select(columns);
    }
}
