package org.recspark.jobs;

import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;

/**
 * The check of input_config.split for the commands that split built samples into training and
 * held-out rows (train, hpo, evaluate's ranking metrics, auto-cross, feature-importance): the split
 * must be set. An eval_table split selects the rows build-samples built from the eval table.
 */
final class BuiltSamplesSplit {
    private BuiltSamplesSplit() {}

    /** @param whoNeeds who needs held-out rows, as a clause's subject and verb ("train needs") */
    static void require(InputConfig input, String whoNeeds) {
        if (input.getSplit().getKindCase() == DataSplit.KindCase.KIND_NOT_SET) {
            throw new UsageException("input_config.split is not set: " + whoNeeds + " held-out evaluation rows");
        }
    }
}
