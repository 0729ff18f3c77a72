package org.recspark.hpo.space;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.FieldPath;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchParam;
import org.recspark.config.proto.SearchSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The searched fields of a pipeline config ({@code hpo_config.params}) and how a point of the space
 * becomes a trial's config. Only hyper-parameters may be searched: paths under
 * {@code runtime_config}, {@code input_config}, {@code eval_config}, {@code hpo_config} and
 * {@code name} are refused (see {@link #REFUSED_SECTIONS} for why each). Every value a parameter can
 * take is set on the base config once up front, so a path that names no field or a value of the
 * wrong type is an error before any trial runs. Immutable.
 */
public final class ParameterSpace {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterSpace.class);

    /** Top-level config fields a search may not touch, with the reason given in the error. */
    public static final Map<String, String> REFUSED_SECTIONS = Map.of(
            "runtime_config", "is a runtime setting (where and how fast a run goes), not a hyper-parameter",
            "input_config", "defines the data and the split the objective is measured on, which must be the same for every trial",
            "eval_config", "defines how trials are measured, which must be the same for every trial",
            "hpo_config", "is the search itself",
            "daily_config", "holds the guards of daily runs, which judge models rather than shape them",
            "name", "names the pipeline, it is not a hyper-parameter");

    private final List<Dimension> dimensions;

    private ParameterSpace(List<Dimension> dimensions) {
        this.dimensions = List.copyOf(dimensions);
    }

    /**
     * Checks the space against the config it varies and builds it; throws a {@link ConfigException}
     * listing every problem, each under its {@code hpo_config.params[i]} path.
     */
    public static ParameterSpace of(SearchSpace space, PipelineConfig base) {
        List<Violation> problems = new ArrayList<>();
        List<Dimension> dimensions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (space.getParamsCount() == 0) {
            problems.add(new Violation("hpo_config.params", "no parameters to search"));
        }
        for (int i = 0; i < space.getParamsCount(); i++) {
            SearchParam param = space.getParams(i);
            String at = "hpo_config.params[" + i + "]";
            String path = param.getPath();
            String section = path.split("[.\\[]", 2)[0];
            if (REFUSED_SECTIONS.containsKey(section)) {
                problems.add(new Violation(at + ".path", "'" + path + "' cannot be searched: " + section + " " + REFUSED_SECTIONS.get(section)));
                continue;
            }
            if (!seen.add(path)) {
                problems.add(new Violation(at + ".path", "'" + path + "' is searched twice"));
                continue;
            }
            Dimension dimension;
            try {
                dimension = dimension(param, at);
            } catch (IllegalArgumentException e) {
                problems.add(new Violation(at, e.getMessage()));
                continue;
            }
            if (dimension == null) {
                problems.add(new Violation(at, "no domain set: expected one of choices, int_range, float_range"));
                continue;
            }
            int before = problems.size();
            String mismatch = domainMismatch(dimension, path);
            if (mismatch != null) {
                problems.add(new Violation(at + "." + param.getDomainCase().name().toLowerCase(java.util.Locale.ROOT), mismatch));
                continue;
            }
            for (Map.Entry<String, String> probe : probes(dimension, at).entrySet()) {
                try {
                    PipelineConfig probed = ConfigPathSetter.set(base, path, probe.getValue());
                    warnIfInvalid(probe.getKey(), path, probe.getValue(), probed);
                } catch (ConfigException e) {
                    for (Violation v : e.violations()) {
                        problems.add(new Violation(probe.getKey(), "cannot set " + v.path() + " to '" + probe.getValue() + "': " + v.message()));
                    }
                }
            }
            if (problems.size() == before) {
                dimensions.add(dimension);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("hpo_config", problems);
        }
        return new ParameterSpace(dimensions);
    }

    private static Dimension dimension(SearchParam param, String at) {
        return switch (param.getDomainCase()) {
            case CHOICES -> {
                if (param.getChoices().getValuesCount() == 0) {
                    throw new IllegalArgumentException("choices has no values");
                }
                if (new HashSet<>(param.getChoices().getValuesList()).size() != param.getChoices().getValuesCount()) {
                    throw new IllegalArgumentException("choices has repeated values " + param.getChoices().getValuesList());
                }
                yield new CategoricalDimension(param.getPath(), param.getChoices().getValuesList());
            }
            case INT_RANGE -> {
                var r = param.getIntRange();
                yield new IntDimension(param.getPath(), r.getMin(), r.getMax(), r.getStep(), r.getLogScale());
            }
            case FLOAT_RANGE -> {
                var r = param.getFloatRange();
                yield new FloatDimension(param.getPath(), r.getMin(), r.getMax(), r.getLogScale());
            }
            case DOMAIN_NOT_SET -> null;
        };
    }

    /** Why a range cannot set the field (a float range on an integer field would make most sampled values invalid), or null. */
    private static String domainMismatch(Dimension dimension, String path) {
        var field = FieldPath.parse(path).fieldAt(PipelineConfig.getDescriptor());
        if (field.isEmpty() || dimension instanceof CategoricalDimension) {
            return null; // a path that names no field is reported by the probes, with the reason
        }
        var type = field.get().getJavaType();
        boolean integer = type == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.INT
                || type == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.LONG;
        boolean real = type == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.FLOAT
                || type == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.DOUBLE;
        String kind = field.get().getType().name().toLowerCase(java.util.Locale.ROOT);
        if (dimension instanceof FloatDimension && !real) {
            return "'" + path + "' has type " + kind + ": a float_range cannot set it" + (integer ? "; use an int_range" : "; use choices");
        }
        if (dimension instanceof IntDimension && !integer && !real) {
            return "'" + path + "' has type " + kind + ": an int_range cannot set it; use choices";
        }
        return null;
    }

    /** The values tried up front, by the path of their place in the search space: every choice, or a range's ends. */
    private static Map<String, String> probes(Dimension dimension, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        if (dimension instanceof CategoricalDimension c) {
            for (int j = 0; j < c.size(); j++) {
                out.put(at + ".choices.values[" + j + "]", c.values().get(j));
            }
        } else if (dimension instanceof IntDimension r) {
            out.put(at + ".int_range.min", r.text(r.min()));
            out.put(at + ".int_range.max", r.text(r.top()));
        } else if (dimension instanceof FloatDimension r) {
            out.put(at + ".float_range.min", r.text(r.min()));
            out.put(at + ".float_range.max", r.text(r.max()));
        }
        return out;
    }

    /**
     * A value the field accepts may still break a rule with the base config's other fields (a
     * DeepFM needs one embedding dimension for all its features, which another searched parameter
     * may change as well), so this only warns: trials that sample it fail with the violation.
     */
    private static void warnIfInvalid(String where, String path, String value, PipelineConfig probed) {
        List<Violation> violations = ConfigValidator.validate(probed);
        if (!violations.isEmpty()) {
            LOG.warn("{}: with the base config's other fields, {} = {} is invalid ({}); trials that sample it will fail", where, path, value,
                    violations.get(0));
        }
    }

    public List<Dimension> dimensions() {
        return dimensions;
    }

    public int size() {
        return dimensions.size();
    }

    /** The point's values as config text, by path, in the space's order. */
    public Map<String, String> texts(double[] point) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int d = 0; d < dimensions.size(); d++) {
            out.put(dimensions.get(d).path(), dimensions.get(d).text(point[d]));
        }
        return out;
    }

    /** The point whose texts these are (as the trial log stores them); throws {@link IllegalArgumentException} for a value outside the space. */
    public double[] parse(Map<String, String> texts) {
        if (!texts.keySet().equals(new HashSet<>(dimensions.stream().map(Dimension::path).toList()))) {
            throw new IllegalArgumentException("parameters " + texts.keySet() + " are not the searched "
                    + dimensions.stream().map(Dimension::path).toList());
        }
        double[] point = new double[dimensions.size()];
        for (int d = 0; d < dimensions.size(); d++) {
            point[d] = dimensions.get(d).parse(texts.get(dimensions.get(d).path()));
        }
        return point;
    }

    /**
     * The base config with the point's values set in the space's order and {@code hpo_config}
     * removed (a trial is not a search), validated like any config: a sampled value that breaks a
     * field constraint or a cross-field rule is a {@link ConfigException} naming its path.
     */
    public PipelineConfig configFor(PipelineConfig base, double[] point) {
        PipelineConfig config = base.toBuilder().clearHpoConfig().build();
        for (Map.Entry<String, String> e : texts(point).entrySet()) {
            config = ConfigPathSetter.set(config, e.getKey(), e.getValue());
        }
        ConfigValidator.requireValid(config, "trial config " + texts(point));
        return config;
    }
}
