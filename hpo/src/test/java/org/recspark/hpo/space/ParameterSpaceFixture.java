package org.recspark.hpo.space;

import com.google.protobuf.TextFormat;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;

/** The trainer tests' synthetic DeepFM config as a base to search over, and search spaces from text. */
public final class ParameterSpaceFixture {
    /** Evaluated every 10 steps on auc and logloss, so searches over it have an objective to report. */
    public static final PipelineConfig BASE = ConfigParser.parseText(ZooFixture.pipelineText(ZooConfigs.DEEPFM, ZooFixture.trainConfig(128, 1))
            + "eval_config { metrics { auc {} } metrics { logloss {} } every_steps: 10 }", "synthetic-search.pbtxt");

    private ParameterSpaceFixture() {}

    /** A search space from its params (and any other fields) in text format, objective auc unless given. */
    public static SearchSpace space(String text) {
        try {
            return TextFormat.parse(text + (text.contains("objective") ? "" : " objective { metric: \"auc\" }"), SearchSpace.class);
        } catch (TextFormat.ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
