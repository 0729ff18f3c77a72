package org.recspark.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.FeatureOutputs;
import org.recspark.config.Violation;
import org.recspark.config.proto.BadValuePolicy;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw user, item and context records into model inputs, identically offline and online.
 * For a request of one user and N items, features that read no item field are computed once and
 * broadcast. Immutable and thread-safe after {@link #compile}.
 */
public final class FeatureGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureGenerator.class);

    private final FeatureSchema schema;
    private final FeatureTransform[] transforms;
    private final String[] descriptions;
    private final int[] requestFeatures;
    private final int[] itemFeatures;
    private final boolean failOnBadValue;
    private final BadValueCounts badValues;

    private FeatureGenerator(FeatureSchema schema, FeatureTransform[] transforms, String[] descriptions,
                             boolean failOnBadValue) {
        this.schema = schema;
        this.transforms = transforms;
        this.descriptions = descriptions;
        this.failOnBadValue = failOnBadValue;
        this.requestFeatures = indices(schema, false);
        this.itemFeatures = indices(schema, true);
        this.badValues = new BadValueCounts(schema.features().stream().map(FeatureSpec::name).toList());
    }

    /**
     * Validates the config and builds the generator.
     *
     * @param baseDir directory against which relative vocabulary files are resolved
     * @throws ConfigException listing every problem of the config
     */
    public static FeatureGenerator compile(FeatureConfig config, Path baseDir) {
        List<Violation> violations = ConfigValidator.validateFeatures(config, "feature_config");
        if (!violations.isEmpty()) {
            throw new ConfigException(violations);
        }
        int n = config.getFeaturesCount();
        FeatureTransform[] transforms = new FeatureTransform[n];
        String[] descriptions = new String[n];
        List<FeatureSpec> specs = new ArrayList<>(n);
        Map<String, Long> tableOffsets = new LinkedHashMap<>();
        Map<String, Long> tableSizes = new LinkedHashMap<>();
        long nextOffset = 0;
        for (int i = 0; i < n; i++) {
            Feature feature = config.getFeatures(i);
            String path = "feature_config.features[" + i + "]";
            FeatureTransform transform = FeatureTransforms.create(feature, baseDir, path);
            transforms[i] = transform;
            Set<Side> sides = EnumSet.noneOf(Side.class);
            transform.inputs().forEach(input -> sides.add(input.side()));
            String type = feature.getTypeCase().name().toLowerCase(java.util.Locale.ROOT);
            descriptions[i] = "feature '" + feature.getName() + "' (" + type + ", input"
                    + (transform.inputs().size() > 1 ? "s " : " ")
                    + transform.inputs().stream().map(InputRef::toString).collect(Collectors.joining(", ")) + ")";
            String table = FeatureOutputs.embeddingTable(feature);
            long offset = 0;
            if (transform.sparse()) {
                Long size = tableSizes.get(table);
                if (size != null && size != transform.idSpaceSize()) {
                    throw new ConfigException(List.of(new Violation(path, "shares embedding '" + table + "' of "
                            + size + " ids but has " + transform.idSpaceSize() + " ids")));
                }
                if (size == null) {
                    tableSizes.put(table, transform.idSpaceSize());
                    tableOffsets.put(table, nextOffset);
                    nextOffset += transform.idSpaceSize();
                }
                offset = tableOffsets.get(table);
            }
            specs.add(new FeatureSpec(feature.getName(), feature.getTypeCase(), FeatureOutputs.inputs(feature), sides,
                    sides.contains(Side.ITEM), transform.sparse(), transform.weighted(),
                    transform.sparse() ? transform.idSpaceSize() : 0, transform.sparse() ? 0 : transform.denseDim(),
                    feature.getEmbeddingDim(), feature.getPooling(), table, offset));
        }
        FeatureSchema schema = new FeatureSchema(specs, nextOffset);
        LOG.info("Compiled {} features ({} per request, {} per item), {} embedding tables, {} ids in all",
                n, specs.stream().filter(s -> !s.perItem()).count(), specs.stream().filter(FeatureSpec::perItem).count(),
                tableSizes.size(), nextOffset);
        return new FeatureGenerator(schema, transforms, descriptions,
                config.getOnBadValue() == BadValuePolicy.FAIL);
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** Values replaced by defaults so far, under {@code on_bad_value: COUNT_AND_DEFAULT}. */
    public BadValueCounts badValues() {
        return badValues;
    }

    /** One row: one user, one item, one context. */
    public FeatureBatch generate(RawRecord user, RawRecord item, RawRecord context) {
        return generate(user, List.of(item), context);
    }

    /**
     * One request of one user and N items: row i is item i. User- and context-only features are
     * computed once and broadcast.
     *
     * @throws FeatureValueException for an unusable value under {@code on_bad_value: FAIL}
     */
    public FeatureBatch generate(RawRecord user, List<? extends RawRecord> items, RawRecord context) {
        RawRecord u = user == null ? RawRecord.EMPTY : user;
        RawRecord c = context == null ? RawRecord.EMPTY : context;
        int rows = items.size();
        FeatureColumn[] columns = new FeatureColumn[transforms.length];
        for (int f : requestFeatures) {
            columns[f] = column(f, u, List.of(RawRecord.EMPTY), c, rows, true);
        }
        for (int f : itemFeatures) {
            columns[f] = column(f, u, items, c, rows, false);
        }
        return new FeatureBatch(schema, rows, List.of(columns));
    }

    private FeatureColumn column(int f, RawRecord user, List<? extends RawRecord> items, RawRecord context,
                                 int logicalRows, boolean broadcast) {
        FeatureTransform transform = transforms[f];
        String name = schema.features().get(f).name();
        int physicalRows = items.size();
        if (transform.sparse()) {
            SparseColumnBuilder out = new SparseColumnBuilder(physicalRows, transform.expectedIdsPerRow(), transform.weighted());
            for (int r = 0; r < physicalRows; r++) {
                RawRecord item = items.get(r);
                int mark = out.mark();
                try {
                    transform.emitSparse(user, item == null ? RawRecord.EMPTY : item, context, out);
                } catch (BadValue e) {
                    onBadValue(f, e);
                    out.reset(mark);
                    transform.emitSparseDefault(out);
                }
                out.endRow();
            }
            return out.build(name, logicalRows, broadcast, transform.idSpaceSize());
        }
        int dim = transform.denseDim();
        float[] values = new float[physicalRows * dim];
        for (int r = 0; r < physicalRows; r++) {
            RawRecord item = items.get(r);
            try {
                transform.emitDense(user, item == null ? RawRecord.EMPTY : item, context, values, r * dim);
            } catch (BadValue e) {
                onBadValue(f, e);
                transform.emitDenseDefault(values, r * dim);
            }
        }
        return new DenseColumn(name, logicalRows, broadcast, dim, values);
    }

    private void onBadValue(int f, BadValue e) {
        if (failOnBadValue) {
            throw new FeatureValueException(schema.features().get(f).name(), descriptions[f] + ": " + e.getMessage());
        }
        badValues.increment(schema.features().get(f).name());
    }

    private static int[] indices(FeatureSchema schema, boolean perItem) {
        List<FeatureSpec> specs = schema.features();
        return java.util.stream.IntStream.range(0, specs.size()).filter(i -> specs.get(i).perItem() == perItem).toArray();
    }
}
