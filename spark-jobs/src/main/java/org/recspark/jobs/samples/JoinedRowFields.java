package org.recspark.jobs.samples;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.recspark.features.RawRecord;

/**
 * The user, item and context records of a joined sample row, as the feature jar reads them:
 * {@code user__<field>} and {@code item__<field>} columns are the user's and item's fields; every
 * other column is a sample field, read as context, and as a user or item field when that side's
 * table lacks it. Built once per partition from the rows' schema; reads external {@link Row}s or
 * Spark's {@link InternalRow}s.
 */
public final class JoinedRowFields {
    private final Map<String, Integer> user = new HashMap<>();
    private final Map<String, Integer> item = new HashMap<>();
    private final Map<String, Integer> context = new HashMap<>();
    private final DataType[] types;

    public JoinedRowFields(StructType schema) {
        String[] columns = schema.fieldNames();
        types = new DataType[columns.length];
        for (int i = 0; i < columns.length; i++) {
            types[i] = schema.fields()[i].dataType();
            if (columns[i].startsWith(FeatureStage.USER_PREFIX)) {
                user.put(columns[i].substring(FeatureStage.USER_PREFIX.length()), i);
            } else if (columns[i].startsWith(FeatureStage.ITEM_PREFIX)) {
                item.put(columns[i].substring(FeatureStage.ITEM_PREFIX.length()), i);
            } else {
                context.put(columns[i], i);
            }
        }
        context.forEach(user::putIfAbsent);
        context.forEach(item::putIfAbsent);
    }

    /**
     * The columns the given user and context fields are read from (a field no column holds is
     * always null and left out).
     */
    public int[] ordinals(Collection<String> userFields, Collection<String> contextFields) {
        Set<Integer> ordinals = new LinkedHashSet<>();
        userFields.stream().map(user::get).filter(Objects::nonNull).forEach(ordinals::add);
        contextFields.stream().map(context::get).filter(Objects::nonNull).forEach(ordinals::add);
        return ordinals.stream().mapToInt(Integer::intValue).toArray();
    }

    public RawRecord user(Row row) {
        return record(row, user);
    }

    public RawRecord item(Row row) {
        return record(row, item);
    }

    public RawRecord context(Row row) {
        return record(row, context);
    }

    public RawRecord user(InternalRow row) {
        return record(row, user);
    }

    public RawRecord item(InternalRow row) {
        return record(row, item);
    }

    public RawRecord context(InternalRow row) {
        return record(row, context);
    }

    private static RawRecord record(Row row, Map<String, Integer> index) {
        return field -> {
            Integer i = index.get(field);
            return i == null || row.isNullAt(i) ? null : SparkValues.toJava(row.get(i));
        };
    }

    private RawRecord record(InternalRow row, Map<String, Integer> index) {
        return field -> {
            Integer i = index.get(field);
            return i == null ? null : InternalRows.toJava(row, i, types[i]);
        };
    }
}
