package org.recspark.hpo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.space.ParameterSpaceFixture;

/** The four-parameter space of {@link FakeTrials}, for tests whose own space is another: they report its centre's value. */
final class SyntheticSpaces {
    static final SearchSpace FULL = ParameterSpaceFixture.space("""
            params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.9 } }
            params { path: "train_config.dense_optimizer.learning_rate.initial" float_range { min: 0.00001 max: 1 log_scale: true } }
            params { path: "model_config.deepfm.dnn.hidden_units[0]" int_range { min: 8 max: 512 step: 8 log_scale: true } }
            params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH", "GELU", "SIGMOID"] } }
            """);

    private SyntheticSpaces() {}

    static Map<String, String> center() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model_config.deepfm.dnn.dropout", "0.3");
        p.put("train_config.dense_optimizer.learning_rate.initial", "0.003");
        p.put("model_config.deepfm.dnn.hidden_units[0]", "128");
        p.put("model_config.deepfm.dnn.activation", "GELU");
        return p;
    }
}
