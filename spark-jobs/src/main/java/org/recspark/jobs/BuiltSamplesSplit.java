package org.recspark.jobs;

import org.recspark.config.proto.InputConfig;

/**
 * The check of input_config.split for the commands that split built samples into training and
 * held-out rows (train, hpo): the split must be set, by time, at random or by date; an eval_table
 * split names raw tables, which built samples are not.
 */
final class BuiltSamplesSplit {
    private BuiltSamplesSplit() {}

    /**
     * @param whoNeeds        who needs held-out rows, as a clause's subject and verb ("train needs")
     * @param evalTableAdvice how an eval_table split is refused, after "is not supported"
     */
    static void require(InputConfig input, String whoNeeds, String evalTableAdvice) {
        switch (input.getSplit().getKindCase()) {
            case KIND_NOT_SET -> throw new UsageException("input_config.split is not set: " + whoNeeds + " held-out evaluation rows");
            case EVAL_TABLE -> throw new UsageException("input_config.split.eval_table is not supported " + evalTableAdvice);
            default -> {
            }
        }
    }
}
