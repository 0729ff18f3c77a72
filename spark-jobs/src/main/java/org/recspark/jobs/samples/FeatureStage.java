package org.recspark.jobs.samples;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.features.DenseColumn;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.features.SparseColumn;
import org.recspark.features.Vocabularies;
import org.recspark.trainer.plan.SampleSchema;

/**
 * Applies the feature jar to every joined sample row, so offline samples hold exactly what the
 * online predictor computes. The features go into one struct column {@value #FEATURES}: a sparse
 * feature is an array of its local ids (plus {@code <name>__weights} for weighted tags), a dense
 * one an array of floats.
 *
 * <p>Input columns: {@code user__<field>} and {@code item__<field>} for the user and item sides;
 * any other column is a sample field, read as context, and as user or item field when the side's
 * table lacks it.
 */
public final class FeatureStage {
    public static final String USER_PREFIX = "user__";
    public static final String ITEM_PREFIX = "item__";
    public static final String WEIGHTS_SUFFIX = SampleSchema.WEIGHTS_SUFFIX;
    public static final String FEATURES = SampleSchema.FEATURES;

    private FeatureStage() {}

    static StructType featureColumns(FeatureSchema schema) {
        StructType out = new StructType();
        for (FeatureSpec spec : schema.features()) {
            if (spec.sparse()) {
                out = out.add(spec.name(), DataTypes.createArrayType(DataTypes.LongType, false), false);
                if (spec.weighted()) {
                    out = out.add(spec.name() + WEIGHTS_SUFFIX, DataTypes.createArrayType(DataTypes.FloatType, false), false);
                }
            } else {
                out = out.add(spec.name(), DataTypes.createArrayType(DataTypes.FloatType, false), false);
            }
        }
        return out;
    }

    /**
     * @param keep columns of the input copied to the output first (keys, labels, dt)
     */
    static Dataset<Row> apply(Dataset<Row> joined, FeatureConfig config, Path baseDir, List<String> keep) {
        FeatureSchema schema = FeatureGenerator.compile(config, baseDir).schema();
        StructType out = new StructType();
        for (String name : keep) {
            out = out.add(joined.schema().apply(name));
        }
        out = out.add(FEATURES, featureColumns(schema), false);
        return InternalRows.mapPartitions(joined,
                new Generate(Vocabularies.inline(config, baseDir).toByteArray(), joined.schema(), keep), out);
    }

    /**
     * Reads each joined row through {@link JoinedRowFields} and writes the features as Spark's
     * internal arrays (primitive arrays, no boxing), so no per-row conversion runs besides the
     * feature jar itself.
     */
    private static final class Generate implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final long serialVersionUID = 1L;
        /** What the inlined config's relative paths would resolve against: it has none left. */
        private static final Path NO_FILES = Path.of(".");
        private final byte[] config;
        private final StructType input;
        private final List<String> keep;

        /** @param config the feature config with its vocabularies inlined, so executors read no file */
        Generate(byte[] config, StructType input, List<String> keep) {
            this.config = config;
            this.input = input;
            this.keep = List.copyOf(keep);
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> rows) throws Exception {
            FeatureGenerator generator = FeatureGenerator.compile(FeatureConfig.parseFrom(config), NO_FILES);
            JoinedRowFields fields = new JoinedRowFields(input);
            List<String> names = List.of(input.fieldNames());
            int[] kept = keep.stream().mapToInt(names::indexOf).toArray();
            DataType[] keptTypes = keep.stream().map(k -> input.apply(k).dataType()).toArray(DataType[]::new);
            int outputs = featureColumns(generator.schema()).size();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public InternalRow next() {
                    InternalRow row = rows.next();
                    FeatureBatch batch = generator.generate(fields.user(row), fields.item(row), fields.context(row));
                    Object[] features = new Object[outputs];
                    int o = 0;
                    for (FeatureColumn column : batch.columns()) {
                        if (column instanceof SparseColumn sparse) {
                            int from = sparse.start(0);
                            int n = sparse.end(0) - from;
                            long[] ids = new long[n];
                            float[] weights = sparse.hasWeights() ? new float[n] : null;
                            for (int k = 0; k < n; k++) {
                                ids[k] = sparse.id(from + k);
                                if (weights != null) {
                                    weights[k] = sparse.weight(from + k);
                                }
                            }
                            features[o++] = UnsafeArrayData.fromPrimitiveArray(ids);
                            if (weights != null) {
                                features[o++] = UnsafeArrayData.fromPrimitiveArray(weights);
                            }
                        } else {
                            DenseColumn dense = (DenseColumn) column;
                            float[] floats = new float[dense.dim()];
                            for (int j = 0; j < floats.length; j++) {
                                floats[j] = dense.value(0, j);
                            }
                            features[o++] = UnsafeArrayData.fromPrimitiveArray(floats);
                        }
                    }
                    Object[] out = new Object[kept.length + 1];
                    for (int k = 0; k < kept.length; k++) {
                        out[k] = row.isNullAt(kept[k]) ? null : row.get(kept[k], keptTypes[k]);
                    }
                    out[kept.length] = new GenericInternalRow(features);
                    return new GenericInternalRow(out);
                }
            };
        }
    }
}
