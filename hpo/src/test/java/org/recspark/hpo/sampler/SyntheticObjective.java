package org.recspark.hpo.sampler;

import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.space.ParameterSpaceFixture;

/**
 * A cheap objective over four real config fields, for sampler tests: a loss in [0, ~4] with its
 * minimum 0 at dropout 0.3, learning rate 10^-2.5, first layer 128 units and GELU, each term scaled
 * to about [0, 1] over its range.
 */
final class SyntheticObjective {
    static final String SPACE = """
            params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.9 } }
            params { path: "train_config.dense_optimizer.learning_rate.initial" float_range { min: 0.00001 max: 1 log_scale: true } }
            params { path: "model_config.deepfm.dnn.hidden_units[0]" int_range { min: 8 max: 512 step: 8 log_scale: true } }
            params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH", "GELU", "SIGMOID"] } }
            """;

    private SyntheticObjective() {}

    static ParameterSpace space() {
        return ParameterSpace.of(searchSpace(), base());
    }

    static SearchSpace searchSpace() {
        return ParameterSpaceFixture.space(SPACE);
    }

    static PipelineConfig base() {
        return ParameterSpaceFixture.BASE;
    }

    static double loss(double[] p) {
        double dropout = (p[0] - 0.3) / 0.6;
        double lr = (Math.log10(p[1]) + 2.5) / 2.5;
        double units = (Math.log(p[2]) / Math.log(2) - 7) / 3;
        double activation = p[3] == 2 ? 0 : p[3] == 0 ? 0.3 : 0.6;
        return dropout * dropout + lr * lr + units * units + activation;
    }
}
