package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.rand;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;
import org.recspark.jobs.JobDescriptions;

/** The training, evaluation and test rows of built samples, as input_config.split says (train, hpo, daily). */
public final class SampleSplit {
    private SampleSplit() {}

    /** Training, evaluation and test rows (null when no test split is configured) as input_config.split says. */
    @SuppressWarnings("unchecked")
    public static Dataset<Row>[] split(Dataset<Row> samples, InputConfig input) {
        DataSplit split = input.getSplit();
        return switch (split.getKindCase()) {
            case BY_DATE -> {
                var dates = split.getByDate();
                yield new Dataset[]{
                    samples.where(col("dt").cast("string").isin(dates.getTrainDatesList().toArray())),
                    samples.where(col("dt").cast("string").isin(dates.getEvalDatesList().toArray())),
                    dates.getTestDatesCount() == 0 ? null : samples.where(col("dt").cast("string").isin(dates.getTestDatesList().toArray()))};
            }
            case BY_TIME -> {
                Row range = JobDescriptions.run(samples.sparkSession(), "time range of the samples",
                        () -> samples.agg(min(col(input.getTimeField())), max(col(input.getTimeField()))).first());
                if (range.isNullAt(0)) {
                    throw new IllegalArgumentException("the samples are empty");
                }
                double lo = ((Number) range.get(0)).doubleValue();
                double hi = ((Number) range.get(1)).doubleValue();
                double testFraction = split.getByTime().getTestFraction();
                double testFrom = hi - testFraction * (hi - lo);
                double evalFrom = testFrom - split.getByTime().getEvalFraction() * (hi - lo);
                Column time = col(input.getTimeField());
                yield new Dataset[]{samples.where(time.lt(evalFrom)),
                    testFraction > 0 ? samples.where(time.geq(evalFrom).and(time.lt(testFrom))) : samples.where(time.geq(evalFrom)),
                    testFraction > 0 ? samples.where(time.geq(testFrom)) : null};
            }
            case RANDOM -> {
                var random = split.getRandom();
                Dataset<Row> marked = samples.withColumn("__u", rand(random.getSeed()));
                double evalTo = random.getEvalFraction();
                double testTo = evalTo + random.getTestFraction();
                yield new Dataset[]{marked.where(col("__u").geq(testTo)).drop("__u"),
                    marked.where(col("__u").lt(evalTo)).drop("__u"),
                    random.getTestFraction() > 0 ? marked.where(col("__u").geq(evalTo).and(col("__u").lt(testTo))).drop("__u") : null};
            }
            case EVAL_TABLE, KIND_NOT_SET -> throw new IllegalStateException("checked before reading: " + split.getKindCase());
        };
    }
}
