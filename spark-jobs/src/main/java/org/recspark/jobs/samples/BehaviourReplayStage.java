package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.features.behaviour.BehaviourStatsLayout;
import org.recspark.features.behaviour.ItemBehaviourReplayer;
import org.recspark.features.behaviour.UserBehaviourReplayer;

/**
 * Windowed behaviour statistics for every sample, as of its own time, by replay: the events and
 * samples of each key are merged into one stream, sorted by (key, time, samples before events of
 * the same second, item, type), and each partition replays its keys once with the feature jar's
 * replayers. A sample travels through the sort whole (one struct column), so its statistics are
 * appended to it where it is replayed: no join brings them back. Cost is a sort plus one linear
 * pass per key type; memory per key is bounded by the replayers.
 */
final class BehaviourReplayStage {
    /** The sample's item's category (null when unknown), for the user x category counts. */
    static final String ITEM_CATEGORY = "_item_category";
    private static final String KEY = "_key";
    private static final String TS = "_ts";
    private static final String KIND = "_kind";
    private static final String ITEM = "_item";
    private static final String TYPE = "_type";
    private static final String CATEGORY = "_category";
    private static final String SAMPLE_ROW = "_sample";
    private static final int SAMPLE = 0;
    private static final int EVENT = 1;

    private BehaviourReplayStage() {}

    /**
     * @param samples sample rows, among them the user and item keys, the time and {@link #ITEM_CATEGORY}
     * @param events  user, item, event type, time, category
     * @param partitions how many tasks replay the keys (and so how many files each day's output is written in)
     * @return the sample rows with the user-side statistics appended ({@code user__<field>}, and the
     *         user x category counts as {@code item__<field>}, since they depend on the item)
     */
    static Dataset<Row> withUserStats(Dataset<Row> samples, Dataset<Row> events, BehaviourStats stats, Columns c, int partitions) {
        Dataset<Row> stream = events.select(col(c.eventUser()).as(KEY), col(c.eventTime()).as(TS), lit(EVENT).as(KIND),
                        col(c.eventItem()).as(ITEM), col(c.eventType()).as(TYPE), col(c.eventCategory()).as(CATEGORY),
                        lit(null).cast(sampleType(samples)).as(SAMPLE_ROW))
                .unionByName(samples.select(col(c.sampleUser()).as(KEY), col(c.sampleTime()).as(TS), lit(SAMPLE).as(KIND),
                        col(c.sampleItem()).as(ITEM), lit(null).cast(DataTypes.StringType).as(TYPE),
                        col(ITEM_CATEGORY).as(CATEGORY), sampleRow(samples)));
        StructType out = samples.schema();
        for (String name : BehaviourStatsFields.userCountFields(stats)) {
            out = out.add(FeatureStage.USER_PREFIX + name, DataTypes.LongType, false);
        }
        for (String name : BehaviourStatsFields.userCategoryCountFields(stats)) {
            out = out.add(FeatureStage.ITEM_PREFIX + name, DataTypes.LongType, false);
        }
        if (stats.getSequenceLength() > 0) {
            out = out.add(FeatureStage.USER_PREFIX + BehaviourStatsFields.SEQ_ITEMS, DataTypes.StringType, false)
                    .add(FeatureStage.USER_PREFIX + BehaviourStatsFields.SEQ_CATEGORIES, DataTypes.StringType, false);
        }
        return InternalRows.mapPartitions(sorted(stream, partitions), new UserReplay(stats.toByteArray(), samples.schema().size()), out);
    }

    /** @return the sample rows with the item's statistics appended as {@code item__<field>} */
    static Dataset<Row> withItemStats(Dataset<Row> samples, Dataset<Row> events, BehaviourStats stats, Columns c, int partitions) {
        Dataset<Row> stream = events.select(col(c.eventItem()).as(KEY), col(c.eventTime()).as(TS), lit(EVENT).as(KIND),
                        col(c.eventItem()).as(ITEM), col(c.eventType()).as(TYPE), lit(null).cast(DataTypes.StringType).as(CATEGORY),
                        lit(null).cast(sampleType(samples)).as(SAMPLE_ROW))
                .unionByName(samples.select(col(c.sampleItem()).as(KEY), col(c.sampleTime()).as(TS), lit(SAMPLE).as(KIND),
                        col(c.sampleItem()).as(ITEM), lit(null).cast(DataTypes.StringType).as(TYPE),
                        lit(null).cast(DataTypes.StringType).as(CATEGORY), sampleRow(samples)));
        StructType out = samples.schema();
        for (String name : BehaviourStatsFields.itemCountFields(stats)) {
            out = out.add(FeatureStage.ITEM_PREFIX + name, DataTypes.LongType, false);
        }
        return InternalRows.mapPartitions(sorted(stream, partitions), new ItemReplay(stats.toByteArray(), samples.schema().size()), out);
    }

    private static Column sampleRow(Dataset<Row> samples) {
        return struct(Arrays.stream(samples.columns()).map(name -> col("`" + name + "`")).toArray(Column[]::new)).as(SAMPLE_ROW);
    }

    private static StructType sampleType(Dataset<Row> samples) {
        return (StructType) samples.select(sampleRow(samples)).schema().apply(SAMPLE_ROW).dataType();
    }

    private static Dataset<Row> sorted(Dataset<Row> stream, int partitions) {
        return stream.repartition(partitions, col(KEY)).sortWithinPartitions(col(KEY), col(TS), col(KIND), col(ITEM), col(TYPE));
    }

    /** Column names of the samples and the behaviour log. */
    record Columns(String sampleUser, String sampleItem, String sampleTime, String eventUser, String eventItem,
                   String eventType, String eventTime, String eventCategory) implements Serializable {}

    private static BehaviourStatsLayout layout(byte[] config) {
        try {
            return new BehaviourStatsLayout(BehaviourStats.parseFrom(config));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("behaviour stats config did not survive serialisation", e);
        }
    }

    private static String string(InternalRow row, int ordinal) {
        return row.isNullAt(ordinal) ? null : row.getUTF8String(ordinal).toString();
    }

    /**
     * Pulls the sorted stream of one partition (key, time, kind, item, type, category, sample) and
     * yields each sample's row followed by its statistics.
     */
    private abstract static class Replay implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final long serialVersionUID = 1L;
        final byte[] config;
        final int sampleFields;

        Replay(byte[] config, int sampleFields) {
            this.config = config;
            this.sampleFields = sampleFields;
        }

        abstract void startKey();

        abstract void event(InternalRow row);

        /** The statistics of a sample at the row's time. */
        abstract InternalRow sample(InternalRow row);

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> input) {
            return new Iterator<>() {
                /** Copied: the input row's memory is reused for the next row. */
                private UTF8String key;
                private InternalRow next;

                @Override
                public boolean hasNext() {
                    while (next == null && input.hasNext()) {
                        InternalRow row = input.next();
                        UTF8String k = row.getUTF8String(0);
                        if (key == null || !key.equals(k)) {
                            key = k.copy();
                            startKey();
                        }
                        if (row.getInt(2) == EVENT) {
                            event(row);
                        } else {
                            next = new JoinedRow(row.getStruct(6, sampleFields), sample(row));
                        }
                    }
                    return next != null;
                }

                @Override
                public InternalRow next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    InternalRow row = next;
                    next = null;
                    return row;
                }
            };
        }
    }

    private static final class UserReplay extends Replay {
        private static final long serialVersionUID = 1L;
        private transient BehaviourStatsLayout layout;
        private transient UserBehaviourReplayer replayer;
        private transient long[] counts;
        /**
         * The sequences of the last sample, null once an event or another key came since: the
         * sequences change only with events, so the items of one request share them.
         */
        private transient UTF8String recentItems;
        private transient UTF8String recentCategories;

        UserReplay(byte[] config, int sampleFields) {
            super(config, sampleFields);
        }

        @Override
        void startKey() {
            if (layout == null) {
                layout = layout(config);
                counts = new long[layout.userFields().size()];
            }
            replayer = new UserBehaviourReplayer(layout);
            recentItems = null;
        }

        @Override
        void event(InternalRow row) {
            replayer.onEvent(string(row, 3), string(row, 4), row.getLong(1), string(row, 5));
            recentItems = null;
        }

        @Override
        InternalRow sample(InternalRow row) {
            replayer.countsAt(row.getLong(1), string(row, 5), counts);
            Object[] values = new Object[counts.length + (layout.hasSequences() ? 2 : 0)];
            for (int i = 0; i < counts.length; i++) {
                values[i] = counts[i];
            }
            if (layout.hasSequences()) {
                if (recentItems == null) {
                    recentItems = UTF8String.fromString(replayer.recentItems());
                    recentCategories = UTF8String.fromString(replayer.recentCategories());
                }
                values[counts.length] = recentItems;
                values[counts.length + 1] = recentCategories;
            }
            return new GenericInternalRow(values);
        }
    }

    private static final class ItemReplay extends Replay {
        private static final long serialVersionUID = 1L;
        private transient BehaviourStatsLayout layout;
        private transient ItemBehaviourReplayer replayer;
        private transient long[] counts;

        ItemReplay(byte[] config, int sampleFields) {
            super(config, sampleFields);
        }

        @Override
        void startKey() {
            if (layout == null) {
                layout = layout(config);
                counts = new long[layout.itemFields().size()];
            }
            replayer = new ItemBehaviourReplayer(layout);
        }

        @Override
        void event(InternalRow row) {
            replayer.onEvent(string(row, 4), row.getLong(1));
        }

        @Override
        InternalRow sample(InternalRow row) {
            replayer.countsAt(row.getLong(1), counts);
            Object[] values = new Object[counts.length];
            for (int i = 0; i < counts.length; i++) {
                values[i] = counts[i];
            }
            return new GenericInternalRow(values);
        }
    }
}
