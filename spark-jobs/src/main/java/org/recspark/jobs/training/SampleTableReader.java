package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.samples.FeatureStage;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.data.ExamplesBuilder;
import scala.collection.Seq;

/**
 * Turns the training samples the sample job wrote (labels and a {@code features} struct: an id
 * array per sparse feature, with a weight array for weighted ones, a float array per dense
 * feature) into the trainer's in-memory {@link Examples}, streaming rows to the driver one
 * partition at a time. Rows are kept in the table's order; the trainer shuffles.
 */
public final class SampleTableReader {
    private SampleTableReader() {
    }

    public static Examples read(Dataset<Row> samples, FeatureSchema schema, InputConfig input) {
        List<String> labels = input.getLabelsList().stream().map(LabelField::getName).toList();
        List<String> columns = new ArrayList<>();
        columns.add(input.getUserIdField());
        columns.addAll(labels);
        columns.add(FeatureStage.FEATURES);
        Dataset<Row> selected = samples.select(columns.stream().map(c -> col("`" + c + "`")).toArray(org.apache.spark.sql.Column[]::new));
        List<FeatureSpec> specs = schema.features();
        ExamplesBuilder builder = new ExamplesBuilder(schema, labels);
        int n = specs.size();
        long[][] ids = new long[n][];
        float[][] weights = new float[n][];
        float[][] dense = new float[n][];
        float[] rowLabels = new float[labels.size()];
        Iterator<Row> rows = selected.toLocalIterator();
        while (rows.hasNext()) {
            Row row = rows.next();
            Row features = row.getStruct(row.fieldIndex(FeatureStage.FEATURES));
            for (int f = 0; f < n; f++) {
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
            Object user = row.get(row.fieldIndex(input.getUserIdField()));
            builder.addRow(ids, weights, dense, rowLabels, user == null ? 0L : groupKey(user.toString()));
        }
        return builder.build();
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
