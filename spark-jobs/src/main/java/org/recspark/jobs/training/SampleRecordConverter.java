package org.recspark.jobs.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.samples.FeatureStage;
import org.recspark.trainer.data.PackedRowBuilder;

/**
 * Writes each record of the sample job's Parquet into a {@link PackedRowBuilder}, as
 * {@link SampleTableReader} reads a Spark row: labels as floats, the user id as a group key (0 when
 * null or when the samples have no user), the features struct (a list of ids per sparse feature, plus
 * weights for weighted ones, a list of floats per dense one), and the time or split draw when a
 * split selects by it. A list's elements arrive
 * through its LIST groups, whatever their nesting (Spark's three levels, or a bare repeated field).
 */
final class SampleRecordConverter extends GroupConverter {
    private final Converter[] fields;
    private double selectionValue;
    /** The user's group key of the current record, read by {@link #selectionOnly} converters. */
    private long groupKey;

    /**
     * @param projection      the columns to read: any of the user id, labels, the selection column and features, from {@link #projection}
     * @param selectionColumn the column a split selects rows by (time or split draw), when it does
     */
    SampleRecordConverter(MessageType projection, FeatureSchema schema, InputConfig input, Optional<String> selectionColumn,
                          PackedRowBuilder builder) {
        Optional<String> user = SampleRoles.userId(input);
        List<String> labels = input.getLabelsList().stream().map(LabelField::getName).toList();
        fields = new Converter[projection.getFieldCount()];
        for (int i = 0; i < fields.length; i++) {
            Type field = projection.getType(i);
            String name = field.getName();
            if (name.equals(FeatureStage.FEATURES)) {
                fields[i] = new Features(field.asGroupType(), schema, builder);
            } else if (labels.contains(name)) {
                int label = labels.indexOf(name);
                fields[i] = new Numbers(v -> builder.setLabel(label, (float) v));
            } else if (user.isPresent() && name.equals(user.get())) {
                fields[i] = new GroupKey(builder::setGroupKey);
            } else if (selectionColumn.isPresent() && name.equals(selectionColumn.get())) {
                fields[i] = new Numbers(v -> selectionValue = v);
            } else {
                throw new IllegalArgumentException("no column " + name + " is read from the samples");
            }
        }
    }

    /**
     * The columns to read from a samples file: the features of the schema, the labels, the user id
     * (when the samples have one) and the column a split selects rows by; in the file's order.
     *
     * @throws IllegalArgumentException naming a column the file lacks
     */
    static MessageType projection(MessageType file, FeatureSchema schema, InputConfig input, Optional<String> selectionColumn) {
        List<String> wanted = new ArrayList<>();
        SampleRoles.userId(input).ifPresent(wanted::add);
        input.getLabelsList().forEach(l -> wanted.add(l.getName()));
        selectionColumn.filter(c -> !wanted.contains(c)).ifPresent(wanted::add);
        List<String> featureColumns = new ArrayList<>();
        for (FeatureSpec spec : schema.features()) {
            featureColumns.add(spec.name());
            if (spec.weighted()) {
                featureColumns.add(spec.name() + FeatureStage.WEIGHTS_SUFFIX);
            }
        }
        List<Type> fields = new ArrayList<>();
        for (Type field : file.getFields()) {
            if (field.getName().equals(FeatureStage.FEATURES)) {
                GroupType features = field.asGroupType();
                List<Type> kept = features.getFields().stream().filter(f -> featureColumns.contains(f.getName())).toList();
                if (kept.size() != featureColumns.size()) {
                    List<String> missing = featureColumns.stream().filter(c -> !features.containsField(c)).toList();
                    throw new IllegalArgumentException("no column " + FeatureStage.FEATURES + "." + missing
                            + ": were the samples built with another feature_config?");
                }
                fields.add(features.withNewFields(kept));
            } else if (wanted.contains(field.getName())) {
                fields.add(field);
            }
        }
        for (String column : wanted) {
            if (!file.containsField(column)) {
                throw new IllegalArgumentException("no column " + column + " (input_config names it)");
            }
        }
        if (!file.containsField(FeatureStage.FEATURES)) {
            throw new IllegalArgumentException("no column " + FeatureStage.FEATURES + ": is it the output of build-samples?");
        }
        return new MessageType(file.getName(), fields);
    }

    /** Only the column a split selects rows by (and its user column, per user): what deciding which rows it takes reads. */
    static MessageType selectionProjection(MessageType file, String column, Optional<String> user) {
        List<Type> fields = new ArrayList<>();
        for (String c : user.isPresent() && !user.get().equals(column) ? List.of(column, user.get()) : List.of(column)) {
            if (!file.containsField(c)) {
                throw new IllegalArgumentException("no column " + c + " (the split selects rows by it)");
            }
        }
        for (Type field : file.getFields()) {
            if (field.getName().equals(column) || user.isPresent() && field.getName().equals(user.get())) {
                fields.add(field);
            }
        }
        return new MessageType(file.getName(), fields);
    }

    /** A converter of {@link #selectionProjection}'s columns: the selection value, and the user as a group key. */
    static SampleRecordConverter selectionOnly(MessageType projection, String column) {
        return new SampleRecordConverter(projection, column);
    }

    private SampleRecordConverter(MessageType projection, String column) {
        fields = new Converter[projection.getFieldCount()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = projection.getType(i).getName().equals(column) ? new Numbers(v -> selectionValue = v) : new GroupKey(k -> groupKey = k);
        }
    }

    /** The current record's value of the selection column, NaN when it is null or not read. */
    double selectionValue() {
        return selectionValue;
    }

    /** The current record's user as a group key, for a {@link #selectionOnly} converter of a per-user selection; 0 when null. */
    long groupKey() {
        return groupKey;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
        return fields[fieldIndex];
    }

    @Override
    public void start() {
        selectionValue = Double.NaN;
        groupKey = 0;
    }

    @Override
    public void end() {
    }

    /** The converter of a column whose values (through any list nesting) go to {@code leaf}. */
    private static Converter listOf(Type type, PrimitiveConverter leaf) {
        if (type.isPrimitive()) {
            return leaf;
        }
        GroupType group = type.asGroupType();
        if (group.getFieldCount() != 1) {
            throw new IllegalArgumentException("column " + type.getName() + " is not a list of numbers: " + type);
        }
        Converter element = listOf(group.getType(0), leaf);
        return new GroupConverter() {
            @Override
            public Converter getConverter(int fieldIndex) {
                return element;
            }

            @Override
            public void start() {
            }

            @Override
            public void end() {
            }
        };
    }

    private static final class Features extends GroupConverter {
        private final Converter[] fields;

        Features(GroupType projected, FeatureSchema schema, PackedRowBuilder builder) {
            fields = new Converter[projected.getFieldCount()];
            for (int i = 0; i < fields.length; i++) {
                Type column = projected.getType(i);
                String name = column.getName();
                boolean weights = name.endsWith(FeatureStage.WEIGHTS_SUFFIX) && !schema.features().stream().anyMatch(s -> s.name().equals(name));
                int f = schema.index(weights ? name.substring(0, name.length() - FeatureStage.WEIGHTS_SUFFIX.length()) : name);
                FeatureSpec spec = schema.features().get(f);
                PrimitiveConverter leaf;
                if (weights) {
                    leaf = new Numbers(v -> builder.addWeight(f, (float) v));
                } else if (spec.sparse()) {
                    leaf = new Ids(f, builder);
                } else {
                    leaf = new Numbers(v -> builder.addDense(f, (float) v));
                }
                fields[i] = listOf(column, leaf);
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return fields[fieldIndex];
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }

    private static final class Ids extends PrimitiveConverter {
        private final int feature;
        private final PackedRowBuilder builder;

        Ids(int feature, PackedRowBuilder builder) {
            this.feature = feature;
            this.builder = builder;
        }

        @Override
        public void addLong(long value) {
            builder.addId(feature, value);
        }

        @Override
        public void addInt(int value) {
            builder.addId(feature, value);
        }
    }

    @FunctionalInterface
    private interface DoubleSink {
        void accept(double value);
    }

    /** Any numeric column, as a double (floats widen exactly, so narrowing back gives the float). */
    private static final class Numbers extends PrimitiveConverter {
        private final DoubleSink sink;

        Numbers(DoubleSink sink) {
            this.sink = sink;
        }

        @Override
        public void addDouble(double value) {
            sink.accept(value);
        }

        @Override
        public void addFloat(float value) {
            sink.accept(value);
        }

        @Override
        public void addLong(long value) {
            sink.accept(value);
        }

        @Override
        public void addInt(int value) {
            sink.accept(value);
        }
    }

    /** The user id, in whatever type the samples hold it, as the group key of its text. */
    private static final class GroupKey extends PrimitiveConverter {
        private final LongConsumer sink;

        GroupKey(LongConsumer sink) {
            this.sink = sink;
        }

        @Override
        public void addBinary(Binary value) {
            sink.accept(SampleTableReader.groupKey(value.toStringUsingUTF8()));
        }

        @Override
        public void addLong(long value) {
            sink.accept(SampleTableReader.groupKey(Long.toString(value)));
        }

        @Override
        public void addInt(int value) {
            sink.accept(SampleTableReader.groupKey(Integer.toString(value)));
        }

        @Override
        public void addDouble(double value) {
            sink.accept(SampleTableReader.groupKey(Double.toString(value)));
        }

        @Override
        public void addFloat(float value) {
            sink.accept(SampleTableReader.groupKey(Float.toString(value)));
        }
    }
}
