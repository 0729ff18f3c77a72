package org.recspark.model.zoo;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.GroupType;
import org.recspark.model.FeatureGroups;
import org.recspark.model.FeatureGroups.Group;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/** Pieces several models share: the concatenation of all DEEP groups, a scalar bias. */
final class Heads {
    private Heads() {
    }

    /** All DEEP groups (or the named ones) in config order. */
    static List<Group> deepGroups(FeatureGroups groups, List<String> names, String path) {
        if (names.isEmpty()) {
            List<Group> deep = groups.ofType(GroupType.DEEP);
            if (deep.isEmpty()) {
                throw new org.recspark.config.ConfigException(List.of(new org.recspark.config.Violation(
                        "model_config.feature_groups", "the model needs at least one DEEP feature group")));
            }
            return deep;
        }
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(groups.deepGroup(names.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    static int deepDim(FeatureGroups groups, List<Group> deep) {
        int dim = 0;
        for (Group g : deep) {
            dim += groups.deepDim(g);
        }
        return dim;
    }

    static Tensor deepInput(Pass pass, FeatureGroups groups, List<Group> deep) {
        List<Tensor> parts = new ArrayList<>();
        for (Group g : deep) {
            parts.addAll(groups.deepParts(pass, g));
        }
        return pass.graph().concat(parts);
    }

    static Parameter bias(ModelParameters params, String name) {
        return params.weight(name, 1, 1, Initializer.zeros());
    }

    /** x (B x 1) plus a scalar parameter. */
    static Tensor addBias(Pass pass, Tensor x, Parameter bias) {
        return pass.graph().addRowVector(x, pass.param(bias));
    }
}
