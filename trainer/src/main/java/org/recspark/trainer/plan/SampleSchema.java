package org.recspark.trainer.plan;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;

/**
 * The samples table training expects, as build-samples writes it: the user id (when the samples have
 * one), the labels, the time column when the split selects by time (the day column when by date,
 * the split draw when at random, the eval-table mark with an eval_table split), and the {@value #FEATURES} struct with one field per
 * feature of the schema (a sparse feature's ids, its {@code __weights} when weighted, a dense
 * feature's floats). Extra columns and struct fields are allowed. Immutable.
 */
public final class SampleSchema {
    /** The struct column holding every feature of a sample. */
    public static final String FEATURES = "features";
    /** Suffix of a weighted sparse feature's weights field in the struct. */
    public static final String WEIGHTS_SUFFIX = "__weights";
    /** The day partition column build-samples writes, which a by_date split selects on. */
    public static final String DAY = "dt";
    /**
     * A uniform number in [0, 1) that build-samples and predict derive from each sample's raw columns
     * (a hash), which a random split selects on: a row's split depends on the row alone, not on where
     * or in which order it is stored.
     */
    public static final String SPLIT_DRAW = "_split_draw";
    /**
     * 1 on the rows build-samples built from input_config.split.eval_table, 0 on those of
     * input_config.samples: an eval_table split selects the evaluation rows by it.
     */
    public static final String EVAL_TABLE_ROW = "_eval_table_row";

    private final List<SampleColumn> columns;
    private final List<SampleColumn> features;

    private SampleSchema(List<SampleColumn> columns, List<SampleColumn> features) {
        this.columns = List.copyOf(columns);
        this.features = List.copyOf(features);
    }

    /** What training on {@code schema}'s features with {@code input}'s labels and split reads. */
    public static SampleSchema expected(FeatureSchema schema, InputConfig input) {
        List<SampleColumn> columns = new ArrayList<>();
        SampleRoles.userId(input).ifPresent(user -> columns.add(new SampleColumn(user, SampleColumn.Type.ANY)));
        for (LabelField label : input.getLabelsList()) {
            columns.add(new SampleColumn(label.getName(), SampleColumn.Type.NUMBER));
        }
        switch (input.getSplit().getKindCase()) {
            case BY_TIME -> columns.add(new SampleColumn(input.getTimeField(), SampleColumn.Type.NUMBER));
            case BY_DATE -> columns.add(new SampleColumn(DAY, SampleColumn.Type.ANY));
            case RANDOM -> columns.add(new SampleColumn(SPLIT_DRAW, SampleColumn.Type.NUMBER));
            case EVAL_TABLE -> columns.add(new SampleColumn(EVAL_TABLE_ROW, SampleColumn.Type.NUMBER));
            default -> {
            }
        }
        List<SampleColumn> features = new ArrayList<>();
        for (FeatureSpec spec : schema.features()) {
            if (spec.sparse()) {
                features.add(new SampleColumn(spec.name(), SampleColumn.Type.ID_LIST));
                if (spec.weighted()) {
                    features.add(new SampleColumn(spec.name() + WEIGHTS_SUFFIX, SampleColumn.Type.FLOAT_LIST));
                }
            } else {
                features.add(new SampleColumn(spec.name(), SampleColumn.Type.FLOAT_LIST));
            }
        }
        return new SampleSchema(columns, features);
    }

    /** The top-level columns besides the {@value #FEATURES} struct, in the order they are named. */
    public List<SampleColumn> columns() {
        return columns;
    }

    /** The fields the {@value #FEATURES} struct must have, in the feature schema's order. */
    public List<SampleColumn> features() {
        return features;
    }
}
