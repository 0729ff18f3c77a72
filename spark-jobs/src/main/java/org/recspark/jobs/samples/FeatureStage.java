package org.recspark.jobs.samples;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.DataType;
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
import org.recspark.features.FeatureValueException;
import org.recspark.features.RawRecord;
import org.recspark.features.Side;
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
     * Reads the joined rows through {@link JoinedRowFields} and writes the features as Spark's
     * internal arrays (primitive arrays, no boxing). Adjacent rows whose user and context fields
     * (those the features read) are equal form one request, generated as the online predictor
     * generates 1 user x N items: request features once, item features per row. The user replay
     * leaves the rows of a request adjacent; rows in any other order are still exact, in requests of
     * one row.
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
            return new Requests(generator, new JoinedRowFields(input), input, keep, rows);
        }
    }

    /** The output rows of one partition, generated request by request. */
    private static final class Requests implements Iterator<InternalRow> {
        /** Rows of one request held at once: bounds the memory of a request of very many items. */
        private static final int MAX_REQUEST_ROWS = 1024;
        private final FeatureGenerator generator;
        private final JoinedRowFields fields;
        private final Iterator<InternalRow> rows;
        private final int[] requestOrdinals;
        private final DataType[] types;
        private final int[] kept;
        private final List<String> keepNames;
        private final DataType[] keptTypes;
        private final int outputs;
        private final List<InternalRow> request = new ArrayList<>();
        private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
        /** The first row of the next request, read while looking for the end of this one. */
        private InternalRow pending;

        Requests(FeatureGenerator generator, JoinedRowFields fields, StructType input, List<String> keep, Iterator<InternalRow> rows) {
            this.generator = generator;
            this.fields = fields;
            this.rows = rows;
            FeatureSchema schema = generator.schema();
            this.requestOrdinals = fields.ordinals(schema.inputFields(Side.USER), schema.inputFields(Side.CONTEXT));
            this.types = Arrays.stream(input.fields()).map(StructField::dataType).toArray(DataType[]::new);
            List<String> names = List.of(input.fieldNames());
            this.kept = keep.stream().mapToInt(names::indexOf).toArray();
            this.keepNames = List.copyOf(keep);
            this.keptTypes = keep.stream().map(k -> input.apply(k).dataType()).toArray(DataType[]::new);
            this.outputs = featureColumns(schema).size();
        }

        @Override
        public boolean hasNext() {
            return !ready.isEmpty() || pending != null || rows.hasNext();
        }

        @Override
        public InternalRow next() {
            if (ready.isEmpty()) {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                generateRequest();
            }
            return ready.poll();
        }

        /** The kept columns of a row (keys, time, labels), to name it; not the job's own columns (_split_draw ...). */
        private Map<String, Object> identify(InternalRow row) {
            Map<String, Object> columns = new LinkedHashMap<>();
            for (int k = 0; k < kept.length; k++) {
                if (!keepNames.get(k).startsWith("_")) {
                    columns.put(keepNames.get(k), InternalRows.toJava(row, kept[k], keptTypes[k]));
                }
            }
            return columns;
        }

        /** Reads the rows of the next request (copies: the input reuses a row's memory) and generates them. */
        private void generateRequest() {
            request.clear();
            request.add(pending != null ? pending : rows.next().copy());
            pending = null;
            InternalRow first = request.get(0);
            while (request.size() < MAX_REQUEST_ROWS && rows.hasNext()) {
                InternalRow row = rows.next().copy();
                if (!sameRequest(first, row)) {
                    pending = row;
                    break;
                }
                request.add(row);
            }
            List<RawRecord> items = new ArrayList<>(request.size());
            for (InternalRow row : request) {
                items.add(fields.item(row));
            }
            FeatureBatch batch;
            try {
                batch = generator.generate(fields.user(first), items, fields.context(first));
            } catch (FeatureValueException e) {
                throw new BadFeatureValueException(e, identify(first), request.size());
            }
            Object[][] features = new Object[request.size()][outputs];
            int o = 0;
            for (FeatureColumn column : batch.columns()) {
                if (column instanceof SparseColumn sparse) {
                    UnsafeArrayData shared = null;
                    UnsafeArrayData sharedWeights = null;
                    for (int r = 0; r < request.size(); r++) {
                        // A broadcast column's one row is converted once; Spark copies each output row.
                        if (shared == null || !sparse.isBroadcast()) {
                            shared = UnsafeArrayData.fromPrimitiveArray(sparse.ids(r));
                            sharedWeights = sparse.hasWeights() ? UnsafeArrayData.fromPrimitiveArray(sparse.weights(r)) : null;
                        }
                        features[r][o] = shared;
                        if (sharedWeights != null) {
                            features[r][o + 1] = sharedWeights;
                        }
                    }
                    o += sparse.hasWeights() ? 2 : 1;
                } else {
                    DenseColumn dense = (DenseColumn) column;
                    UnsafeArrayData shared = null;
                    for (int r = 0; r < request.size(); r++) {
                        if (shared == null || !dense.isBroadcast()) {
                            shared = UnsafeArrayData.fromPrimitiveArray(dense.values(r));
                        }
                        features[r][o] = shared;
                    }
                    o++;
                }
            }
            for (int r = 0; r < request.size(); r++) {
                InternalRow row = request.get(r);
                Object[] out = new Object[kept.length + 1];
                for (int k = 0; k < kept.length; k++) {
                    out[k] = row.isNullAt(kept[k]) ? null : row.get(kept[k], keptTypes[k]);
                }
                out[kept.length] = new GenericInternalRow(features[r]);
                ready.add(new GenericInternalRow(out));
            }
        }

        /** Equal (bit for bit) in every user and context field a feature reads. */
        private boolean sameRequest(InternalRow a, InternalRow b) {
            for (int o : requestOrdinals) {
                boolean nullA = a.isNullAt(o);
                if (nullA != b.isNullAt(o)) {
                    return false;
                }
                if (!nullA && !sameValue(a.get(o, types[o]), b.get(o, types[o]))) {
                    return false;
                }
            }
            return true;
        }

        private static boolean sameValue(Object a, Object b) {
            if (a instanceof MapData x && b instanceof MapData y) {
                // Spark's map data has no value equality; its key and value arrays do.
                return x.numElements() == y.numElements() && x.keyArray().equals(y.keyArray()) && x.valueArray().equals(y.valueArray());
            }
            return a.equals(b);
        }
    }
}
