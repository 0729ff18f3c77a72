package org.recspark.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.BadValuePolicy;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw user, item and context records into model inputs, identically offline and online.
 * For a request of one user and N items, features that read no item field are computed once and
 * broadcast, and per-item features derive what they need from the user and context once. Immutable
 * and thread-safe after {@link #compile}; the counters it keeps are thread-safe too.
 */
public final class FeatureGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureGenerator.class);
    private static final String CONFIG_PATH = "feature_config";

    private final FeatureSchema schema;
    private final FeatureTransform[] transforms;
    /** Per feature, how errors name it: "feature 'price' (raw, input item.price)". */
    private final String[] descriptions;
    private final int[] requestFeatures;
    private final int[] itemFeatures;
    /** Per feature: it reads item fields only, so {@link #precompute} can compute it once per item. */
    private final boolean[] itemOnly;
    private final boolean failOnBadValue;
    private final FeatureCounts badValues;
    private final FeatureCounts droppedCrosses;

    private FeatureGenerator(FeatureSchema schema, FeatureTransform[] transforms, String[] descriptions,
                             boolean failOnBadValue, FeatureCounts badValues, FeatureCounts droppedCrosses) {
        this.schema = schema;
        this.transforms = transforms;
        this.descriptions = descriptions;
        this.failOnBadValue = failOnBadValue;
        this.badValues = badValues;
        this.droppedCrosses = droppedCrosses;
        List<FeatureSpec> specs = schema.features();
        this.requestFeatures = IntStream.range(0, specs.size()).filter(i -> !specs.get(i).perItem()).toArray();
        this.itemFeatures = IntStream.range(0, specs.size()).filter(i -> specs.get(i).perItem()).toArray();
        this.itemOnly = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            itemOnly[i] = specs.get(i).sides().equals(Set.of(Side.ITEM));
        }
    }

    /**
     * Validates the config (every violation at once), loads its vocabulary files and builds the generator.
     *
     * @param baseDir directory against which relative vocabulary files are resolved (the config file's)
     * @throws ConfigException listing every problem of the config, or naming an unreadable vocabulary file
     */
    public static FeatureGenerator compile(FeatureConfig config, Path baseDir) {
        List<Violation> violations = ConfigValidator.validateFeatures(config, CONFIG_PATH);
        if (!violations.isEmpty()) {
            throw new ConfigException(violations);
        }
        int n = config.getFeaturesCount();
        List<String> names = config.getFeaturesList().stream().map(Feature::getName).toList();
        FeatureCounts droppedCrosses = new FeatureCounts(names);
        FeatureTransform[] transforms = new FeatureTransform[n];
        String[] descriptions = new String[n];
        List<FeatureSpec> specs = new ArrayList<>(n);
        Map<String, Long> tableOffsets = new LinkedHashMap<>();
        Map<String, Long> tableSizes = new LinkedHashMap<>();
        long nextOffset = 0;
        for (int i = 0; i < n; i++) {
            Feature feature = config.getFeatures(i);
            FeatureType type = FeatureTypes.of(feature);
            String path = CONFIG_PATH + ".features[" + i + "]";
            boolean sparse = type.sparse(feature);
            int denseDim = sparse ? 0 : Math.toIntExact(type.rowWidth(feature));
            FeatureTransform transform = FeatureTransforms.create(feature, baseDir, path, droppedCrosses);
            checkDefault(transform, sparse, denseDim, path + "." + type.name() + ".default_value");
            transforms[i] = transform;
            List<String> inputs = type.inputs(feature);
            Set<Side> sides = EnumSet.noneOf(Side.class);
            inputs.forEach(input -> sides.add(InputRef.parse(input).side()));
            descriptions[i] = "feature '" + feature.getName() + "' (" + type.name() + ", input"
                    + (inputs.size() > 1 ? "s " : " ") + String.join(", ", inputs) + ")";
            String table = type.embeddingTable(feature);
            long offset = 0;
            if (sparse) {
                // The validator compares the shared tables whose sizes the config gives; vocabulary files are read only now.
                Long size = tableSizes.get(table);
                if (size != null && size != transform.idSpaceSize()) {
                    throw new ConfigException(List.of(new Violation(path, "shares embedding '" + table + "' of "
                            + size + " ids but has " + transform.idSpaceSize() + " ids")));
                }
                if (size == null) {
                    tableSizes.put(table, transform.idSpaceSize());
                    tableOffsets.put(table, nextOffset);
                    try {
                        nextOffset = Math.addExact(nextOffset, transform.idSpaceSize());
                    } catch (ArithmeticException e) {
                        // the validator sums the sizes the config gives; a vocabulary file's is known only now
                        throw new ConfigException(List.of(new Violation(path, "the id spaces of the embedding tables add up "
                                + "to more than " + Long.MAX_VALUE + " (the largest id offset, a long)")));
                    }
                }
                offset = tableOffsets.get(table);
            }
            specs.add(new FeatureSpec(feature.getName(), feature.getTypeCase(), inputs, sides,
                    sides.contains(Side.ITEM), sparse, transform.weighted(), sparse ? transform.idSpaceSize() : 0,
                    denseDim, feature.getEmbeddingDim(), feature.getPooling(), table, offset));
        }
        FeatureSchema schema = new FeatureSchema(specs, nextOffset);
        LOG.info("Compiled {} features ({} per request, {} per item), {} embedding tables, {} ids in all, on_bad_value {}",
                n, specs.stream().filter(s -> !s.perItem()).count(), specs.stream().filter(FeatureSpec::perItem).count(),
                tableSizes.size(), nextOffset, config.getOnBadValue());
        return new FeatureGenerator(schema, transforms, descriptions, config.getOnBadValue() == BadValuePolicy.FAIL,
                new FeatureCounts(names), droppedCrosses);
    }

    /**
     * A default that is itself a bad value (a num_buckets default outside the range, an unweighted
     * default of a weighted tag, an infinite number) would fail every row it stands in for: a config error.
     */
    private static void checkDefault(FeatureTransform transform, boolean sparse, int denseDim, String path) {
        try {
            if (sparse) {
                transform.emitSparseDefault(new SparseColumnBuilder(1, 1, transform.weighted()));
            } else {
                transform.emitDenseDefault(new float[denseDim], 0);
            }
        } catch (BadValue e) {
            throw new ConfigException(List.of(new Violation(path, "the default is not a usable value: " + e.getMessage())));
        }
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** Values replaced by defaults so far, per feature, under {@code on_bad_value: COUNT_AND_DEFAULT}. */
    public FeatureCounts badValues() {
        return badValues;
    }

    /** Crosses cut by max_crosses so far, per combo feature. */
    public FeatureCounts droppedCrosses() {
        return droppedCrosses;
    }

    /**
     * One row: one user, one item, one context. Null records are empty.
     *
     * @throws FeatureValueException for an unusable value under {@code on_bad_value: FAIL}
     */
    public FeatureBatch generate(RawRecord user, RawRecord item, RawRecord context) {
        return generate(user, List.of(item == null ? RawRecord.EMPTY : item), context);
    }

    /**
     * One request of one user and N items: row i is item i. Request-side features are computed once
     * and broadcast (see {@link FeatureColumn#isBroadcast()}). Null records are empty.
     *
     * @throws FeatureValueException for an unusable value under {@code on_bad_value: FAIL}
     */
    public FeatureBatch generate(RawRecord user, List<? extends RawRecord> items, RawRecord context) {
        RawRecord u = user == null ? RawRecord.EMPTY : user;
        RawRecord c = context == null ? RawRecord.EMPTY : context;
        int rows = items.size();
        FeatureColumn[] columns = new FeatureColumn[transforms.length];
        for (int f : requestFeatures) {
            columns[f] = column(f, transforms[f], u, List.of(RawRecord.EMPTY), c, rows, true);
        }
        for (int f : itemFeatures) {
            columns[f] = column(f, transforms[f].forRequest(u, c), u, items, c, rows, false);
        }
        return new FeatureBatch(schema, rows, List.of(columns));
    }

    /**
     * The item with the outputs of its item-only features computed now, to be reused by every
     * request that scores it ({@link PrecomputedItem}). A bad value is handled as in
     * {@link #generate}: it fails here under {@code on_bad_value: FAIL}, else it is counted once
     * (not once per request) and the default is stored.
     *
     * @throws FeatureValueException for an unusable value under {@code on_bad_value: FAIL}
     */
    public PrecomputedItem precompute(RawRecord item) {
        int n = transforms.length;
        long[][] ids = new long[n][];
        float[][] weights = new float[n][];
        float[][] dense = new float[n][];
        for (int f : itemFeatures) {
            if (!itemOnly[f]) {
                continue;
            }
            FeatureTransform transform = transforms[f];
            FeatureSpec spec = schema.features().get(f);
            if (spec.sparse()) {
                SparseColumnBuilder out = new SparseColumnBuilder(1, transform.expectedIdsPerRow(), transform.weighted());
                try {
                    transform.emitSparse(RawRecord.EMPTY, item, RawRecord.EMPTY, out);
                } catch (BadValue e) {
                    onBadValue(f, e);
                    out.reset(0);
                    transform.emitSparseDefault(out);
                }
                ids[f] = out.idsSince(0);
                weights[f] = out.weightsSince(0);
            } else {
                float[] values = new float[spec.denseDim()];
                try {
                    transform.emitDense(RawRecord.EMPTY, item, RawRecord.EMPTY, values, 0);
                } catch (BadValue e) {
                    onBadValue(f, e);
                    transform.emitDenseDefault(values, 0);
                }
                dense[f] = values;
            }
        }
        return new PrecomputedItem(this, item, ids, weights, dense);
    }

    /** One feature over the physical rows given by {@code items}: one row when broadcast. */
    private FeatureColumn column(int f, FeatureTransform transform, RawRecord user, List<? extends RawRecord> items,
                                 RawRecord context, int logicalRows, boolean broadcast) {
        FeatureSpec spec = schema.features().get(f);
        String name = spec.name();
        int physicalRows = items.size();
        if (spec.sparse()) {
            SparseColumnBuilder out = new SparseColumnBuilder(physicalRows, transform.expectedIdsPerRow(), transform.weighted());
            for (int r = 0; r < physicalRows; r++) {
                RawRecord item = items.get(r);
                if (itemOnly[f] && item instanceof PrecomputedItem p && p.computedBy(this)) {
                    p.appendSparse(f, out);
                    out.endRow();
                    continue;
                }
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
        int dim = spec.denseDim();
        float[] values = new float[physicalRows * dim];
        for (int r = 0; r < physicalRows; r++) {
            RawRecord item = items.get(r);
            if (itemOnly[f] && item instanceof PrecomputedItem p && p.computedBy(this)) {
                p.copyDense(f, values, r * dim);
                continue;
            }
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
        String name = schema.features().get(f).name();
        if (failOnBadValue) {
            throw new FeatureValueException(name, descriptions[f] + ": " + e.getMessage());
        }
        badValues.counter(name).increment();
    }
}
