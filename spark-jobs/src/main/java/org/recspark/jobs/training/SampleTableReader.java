package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.samples.FeatureStage;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import scala.collection.Seq;

/**
 * Turns the training samples the sample job wrote (labels and a {@code features} struct: an id
 * array per sparse feature, with a weight array for weighted ones, a float array per dense
 * feature) into the trainer's in-memory {@link Examples}, streaming rows to the driver one
 * partition at a time. Rows are kept in the table's order; the trainer shuffles. For rows that fit
 * in one heap (a hyper-parameter search's trials keep theirs); {@code train} and {@code daily}
 * stream theirs instead ({@link ParquetSampleChunks}), decoding the same columns the same way.
 */
public final class SampleTableReader {
    private SampleTableReader() {
    }

    public static Examples read(Dataset<Row> samples, FeatureSchema schema, InputConfig input) {
        Rows rows = new Rows(schema, input);
        Iterator<Row> it = select(samples, input).toLocalIterator();
        while (it.hasNext()) {
            rows.add(it.next());
        }
        return rows.build();
    }

    /** The columns {@link Rows} reads: the user id (when the samples have one), the labels and the features struct. */
    public static Dataset<Row> select(Dataset<Row> samples, InputConfig input) {
        List<String> columns = new ArrayList<>();
        SampleRoles.userId(input).ifPresent(columns::add);
        input.getLabelsList().forEach(l -> columns.add(l.getName()));
        columns.add(FeatureStage.FEATURES);
        return samples.select(columns.stream().map(c -> col("`" + c + "`")).toArray(org.apache.spark.sql.Column[]::new));
    }

    /** Collects sample rows (with at least the columns of {@link #select}) one at a time, in order. */
    public static final class Rows {
        private final Optional<String> user;
        private final List<String> labels;
        private final List<FeatureSpec> specs;
        private final ExamplesBuilder builder;
        private final long[][] ids;
        private final float[][] weights;
        private final float[][] dense;
        private final float[] rowLabels;

        public Rows(FeatureSchema schema, InputConfig input) {
            this.user = SampleRoles.userId(input);
            this.labels = input.getLabelsList().stream().map(LabelField::getName).toList();
            this.specs = schema.features();
            this.builder = new ExamplesBuilder(schema, labels);
            int n = specs.size();
            ids = new long[n][];
            weights = new float[n][];
            dense = new float[n][];
            rowLabels = new float[labels.size()];
        }

        public void add(Row row) {
            Row features = row.getStruct(row.fieldIndex(FeatureStage.FEATURES));
            for (int f = 0; f < specs.size(); f++) {
                FeatureSpec spec = specs.get(f);
                if (spec.sparse()) {
                    ids[f] = longs(features.getSeq(features.fieldIndex(spec.name())));
                    weights[f] = spec.weighted() ? floats(features.getSeq(features.fieldIndex(spec.name() + FeatureStage.WEIGHTS_SUFFIX))) : null;
                } else {
                    dense[f] = floats(features.getSeq(features.fieldIndex(spec.name())));
                }
            }
            for (int l = 0; l < labels.size(); l++) {
                Object v = row.get(row.fieldIndex(labels.get(l)));
                if (!(v instanceof Number number)) {
                    throw new IllegalArgumentException("label " + labels.get(l) + " is " + v + " in a sample row; the sample job writes numbers");
                }
                rowLabels[l] = number.floatValue();
            }
            Object userId = user.map(u -> row.get(row.fieldIndex(u))).orElse(null);
            builder.addRow(ids, weights, dense, rowLabels, userId == null ? 0L : groupKey(userId.toString()));
        }

        public Examples build() {
            return builder.build();
        }
    }

    /** A stable 64-bit key for a user id (GAUC groups by it). */
    static long groupKey(String user) {
        long h = 1125899906842597L;
        for (int i = 0; i < user.length(); i++) {
            h = 31 * h + user.charAt(i);
        }
        return h;
    }

    private static long[] longs(Seq<Object> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.apply(i)).longValue();
        }
        return out;
    }

    private static float[] floats(Seq<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.apply(i)).floatValue();
        }
        return out;
    }
}
