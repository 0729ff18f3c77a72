package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.features.behaviour.BehaviourStatsLayout;
import org.recspark.features.behaviour.ItemBehaviourReplayer;
import org.recspark.features.behaviour.UserBehaviourReplayer;

/**
 * Windowed behaviour statistics for every sample, as of its own time, by replay: the events and
 * samples of each key are merged into one stream, sorted by (key, time, samples before events of
 * the same second, item, type), and each partition replays its keys once with the feature jar's
 * replayers. Cost is a sort plus one linear pass; memory per key is bounded by the replayers.
 */
final class BehaviourReplayStage {
    static final String SAMPLE_ID = "_sample_id";
    static final String ITEM_CATEGORY = "_item_category";
    private static final String KEY = "_key";
    private static final String TS = "_ts";
    private static final String KIND = "_kind";
    private static final String ITEM = "_item";
    private static final String TYPE = "_type";
    private static final String CATEGORY = "_category";
    private static final int SAMPLE = 0;
    private static final int EVENT = 1;

    private BehaviourReplayStage() {}

    /**
     * @param samples {@link #SAMPLE_ID}, user and item keys, time, and {@link #ITEM_CATEGORY}
     * @param events  user, item, event type, time, category
     * @return {@link #SAMPLE_ID} and the user-side fields, then a second dataset with the item-side fields
     */
    static Dataset<Row> userStats(Dataset<Row> samples, Dataset<Row> events, BehaviourStats stats, Columns c) {
        Dataset<Row> stream = events.select(col(c.eventUser()).as(KEY), col(c.eventTime()).as(TS), lit(EVENT).as(KIND),
                        col(c.eventItem()).as(ITEM), col(c.eventType()).as(TYPE), col(c.eventCategory()).as(CATEGORY),
                        lit(null).cast(DataTypes.LongType).as(SAMPLE_ID))
                .unionByName(samples.select(col(c.sampleUser()).as(KEY), col(c.sampleTime()).as(TS), lit(SAMPLE).as(KIND),
                        col(c.sampleItem()).as(ITEM), lit(null).cast(DataTypes.StringType).as(TYPE),
                        col(ITEM_CATEGORY).as(CATEGORY), col(SAMPLE_ID)));
        StructType out = new StructType().add(SAMPLE_ID, DataTypes.LongType, false);
        for (String name : BehaviourStatsFields.userCountFields(stats)) {
            out = out.add(name, DataTypes.LongType, false);
        }
        for (String name : BehaviourStatsFields.userCategoryCountFields(stats)) {
            out = out.add(name, DataTypes.LongType, false);
        }
        if (stats.getSequenceLength() > 0) {
            out = out.add(BehaviourStatsFields.SEQ_ITEMS, DataTypes.StringType, false)
                    .add(BehaviourStatsFields.SEQ_CATEGORIES, DataTypes.StringType, false);
        }
        return sorted(stream).mapPartitions(new UserReplay(stats.toByteArray()), Encoders.row(out));
    }

    static Dataset<Row> itemStats(Dataset<Row> samples, Dataset<Row> events, BehaviourStats stats, Columns c) {
        Dataset<Row> stream = events.select(col(c.eventItem()).as(KEY), col(c.eventTime()).as(TS), lit(EVENT).as(KIND),
                        col(c.eventItem()).as(ITEM), col(c.eventType()).as(TYPE), lit(null).cast(DataTypes.StringType).as(CATEGORY),
                        lit(null).cast(DataTypes.LongType).as(SAMPLE_ID))
                .unionByName(samples.select(col(c.sampleItem()).as(KEY), col(c.sampleTime()).as(TS), lit(SAMPLE).as(KIND),
                        col(c.sampleItem()).as(ITEM), lit(null).cast(DataTypes.StringType).as(TYPE),
                        lit(null).cast(DataTypes.StringType).as(CATEGORY), col(SAMPLE_ID)));
        StructType out = new StructType().add(SAMPLE_ID, DataTypes.LongType, false);
        for (String name : BehaviourStatsFields.itemCountFields(stats)) {
            out = out.add(name, DataTypes.LongType, false);
        }
        return sorted(stream).mapPartitions(new ItemReplay(stats.toByteArray()), Encoders.row(out));
    }

    private static Dataset<Row> sorted(Dataset<Row> stream) {
        return stream.repartition(col(KEY)).sortWithinPartitions(col(KEY), col(TS), col(KIND), col(ITEM), col(TYPE));
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

    /** Pulls the sorted stream and yields one output row per sample row. */
    private abstract static class Replay implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        final byte[] config;

        Replay(byte[] config) {
            this.config = config;
        }

        abstract void startKey();

        abstract void event(Row row);

        abstract Row sample(Row row);

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            return new Iterator<>() {
                private String key;
                private Row next;

                @Override
                public boolean hasNext() {
                    while (next == null && input.hasNext()) {
                        Row row = input.next();
                        String k = row.getString(0);
                        if (key == null || !key.equals(k)) {
                            key = k;
                            startKey();
                        }
                        if (row.getInt(2) == EVENT) {
                            event(row);
                        } else {
                            next = sample(row);
                        }
                    }
                    return next != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Row row = next;
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

        UserReplay(byte[] config) {
            super(config);
        }

        @Override
        void startKey() {
            if (layout == null) {
                layout = layout(config);
                counts = new long[layout.userFields().size()];
            }
            replayer = new UserBehaviourReplayer(layout);
        }

        @Override
        void event(Row row) {
            replayer.onEvent(row.getString(3), row.getString(4), row.getLong(1), row.isNullAt(5) ? null : row.getString(5));
        }

        @Override
        Row sample(Row row) {
            replayer.countsAt(row.getLong(1), row.isNullAt(5) ? null : row.getString(5), counts);
            List<Object> values = new ArrayList<>(counts.length + 3);
            values.add(row.getLong(6));
            for (long n : counts) {
                values.add(n);
            }
            if (layout.hasSequences()) {
                values.add(replayer.recentItems());
                values.add(replayer.recentCategories());
            }
            return RowFactory.create(values.toArray());
        }
    }

    private static final class ItemReplay extends Replay {
        private static final long serialVersionUID = 1L;
        private transient BehaviourStatsLayout layout;
        private transient ItemBehaviourReplayer replayer;
        private transient long[] counts;

        ItemReplay(byte[] config) {
            super(config);
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
        void event(Row row) {
            replayer.onEvent(row.getString(4), row.getLong(1));
        }

        @Override
        Row sample(Row row) {
            replayer.countsAt(row.getLong(1), counts);
            Object[] values = new Object[counts.length + 1];
            values[0] = row.getLong(6);
            for (int i = 0; i < counts.length; i++) {
                values[i + 1] = counts[i];
            }
            return RowFactory.create(values);
        }
    }
}
