package org.recspark.jobs.samples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
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
            StructField f = joined.schema().apply(name);
            out = out.add(f);
        }
        out = out.add(FEATURES, featureColumns(schema), false);
        return joined.mapPartitions(new Generate(Vocabularies.inline(config, baseDir).toByteArray(), joined.schema().fieldNames(), keep),
                Encoders.row(out));
    }

    private static final class Generate implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        /** What the inlined config's relative paths would resolve against: it has none left. */
        private static final Path NO_FILES = Path.of(".");
        private final byte[] config;
        private final String[] columns;
        private final List<String> keep;

        /** @param config the feature config with its vocabularies inlined, so executors read no file */
        Generate(byte[] config, String[] columns, List<String> keep) {
            this.config = config;
            this.columns = columns;
            this.keep = List.copyOf(keep);
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) throws Exception {
            FeatureGenerator generator = FeatureGenerator.compile(FeatureConfig.parseFrom(config), NO_FILES);
            JoinedRowFields fields = new JoinedRowFields(columns);
            int[] kept = keep.stream().mapToInt(k -> List.of(columns).indexOf(k)).toArray();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return input.hasNext();
                }

                @Override
                public Row next() {
                    Row row = input.next();
                    FeatureBatch batch = generator.generate(fields.user(row), fields.item(row), fields.context(row));
                    List<Object> values = new ArrayList<>(batch.columns().size() + 2);
                    for (FeatureColumn column : batch.columns()) {
                        if (column instanceof SparseColumn sparse) {
                            List<Long> ids = new ArrayList<>(sparse.length(0));
                            List<Float> weights = sparse.hasWeights() ? new ArrayList<>(sparse.length(0)) : null;
                            for (int k = sparse.start(0); k < sparse.end(0); k++) {
                                ids.add(sparse.id(k));
                                if (weights != null) {
                                    weights.add(sparse.weight(k));
                                }
                            }
                            values.add(SparkValues.toScala(ids));
                            if (weights != null) {
                                values.add(SparkValues.toScala(weights));
                            }
                        } else {
                            DenseColumn dense = (DenseColumn) column;
                            List<Float> floats = new ArrayList<>(dense.dim());
                            for (int j = 0; j < dense.dim(); j++) {
                                floats.add(dense.value(0, j));
                            }
                            values.add(SparkValues.toScala(floats));
                        }
                    }
                    Object[] outRow = new Object[kept.length + 1];
                    for (int k = 0; k < kept.length; k++) {
                        outRow[k] = row.get(kept[k]);
                    }
                    outRow[kept.length] = RowFactory.create(values.toArray());
                    return RowFactory.create(outRow);
                }
            };
        }
    }
}
