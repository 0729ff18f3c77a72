package org.recspark.trainer.train;

import java.util.Map;

/**
 * What exact metrics need of scored rows, and nothing more: per task the prediction of every row
 * and its label (for the tasks whose label the rows carry), and the rows' group keys (null when
 * they have none).
 */
public record ScoredRows(int numRows, Map<String, float[]> predictions, Map<String, float[]> labels, long[] groupKeys) {}
