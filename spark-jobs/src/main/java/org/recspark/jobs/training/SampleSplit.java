package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.SampleRoles;
import org.recspark.jobs.JobDescriptions;
import org.recspark.trainer.plan.SampleSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training, evaluation and test rows of built samples, as input_config.split says (train, hpo,
 * daily): each split is a {@link RowSelection} of the samples, applied by Spark for rows collected in
 * memory and row by row by the streaming readers.
 */
public final class SampleSplit {
    private static final Logger LOG = LoggerFactory.getLogger(SampleSplit.class);
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final String TRAIN = "training";
    private static final String EVAL = "evaluation";
    private static final String TEST = "test";

    private SampleSplit() {}

    /** One split ("training", "evaluation" or "test"): its rows as a Spark dataset, and the rule that selects them. */
    public record Part(String name, Dataset<Row> rows, RowSelection selection) {}

    /** Training, evaluation and test rows (null when no test split is configured) as input_config.split says. */
    @SuppressWarnings("unchecked")
    public static Dataset<Row>[] split(Dataset<Row> samples, InputConfig input) {
        return parts(samples, input).stream().map(p -> p == null ? null : p.rows()).toArray(Dataset[]::new);
    }

    /** The training, evaluation and test parts (the last null when no test split is configured). */
    public static List<Part> parts(Dataset<Row> samples, InputConfig input) {
        DataSplit split = input.getSplit();
        return switch (split.getKindCase()) {
            case BY_DATE -> {
                var dates = split.getByDate();
                yield Arrays.asList(byDates(TRAIN, samples, dates.getTrainDatesList()), byDates(EVAL, samples, dates.getEvalDatesList()),
                        dates.getTestDatesCount() == 0 ? null : byDates(TEST, samples, dates.getTestDatesList()));
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
                String time = input.getTimeField();
                yield Arrays.asList(part(TRAIN, samples, new RowSelection.TimeWindow(time, -INF, evalFrom)),
                        part(EVAL, samples, new RowSelection.TimeWindow(time, evalFrom, testFraction > 0 ? testFrom : INF)),
                        testFraction > 0 ? part(TEST, samples, new RowSelection.TimeWindow(time, testFrom, INF)) : null);
            }
            case RANDOM -> {
                var random = split.getRandom();
                double evalTo = random.getEvalFraction();
                double testTo = evalTo + random.getTestFraction();
                yield Arrays.asList(part(TRAIN, samples, new RowSelection.RandomWindow(random.getSeed(), testTo, INF)),
                        part(EVAL, samples, new RowSelection.RandomWindow(random.getSeed(), -INF, evalTo)),
                        random.getTestFraction() > 0 ? part(TEST, samples, new RowSelection.RandomWindow(random.getSeed(), evalTo, testTo)) : null);
            }
            case LEAVE_LAST_OUT -> leaveLastOut(samples, input);
            case EVAL_TABLE -> {
                if (!Arrays.asList(samples.columns()).contains(SampleSchema.EVAL_TABLE_ROW)) {
                    throw new IllegalArgumentException("input_config.split.eval_table: the samples have no " + SampleSchema.EVAL_TABLE_ROW
                            + " column, so they hold no rows of the eval table; build them with build-samples and this config");
                }
                yield Arrays.asList(part(TRAIN, samples, new RowSelection.EvalTableRows(false)),
                    part(EVAL, samples, new RowSelection.EvalTableRows(true)), null);
            }
            case KIND_NOT_SET -> throw new IllegalStateException("checked before reading: " + split.getKindCase());
        };
    }

    /**
     * Per user: the last time, and the last time before it (the last time again when there is none,
     * so the user has no evaluation rows then). Without test rows the cuts are [last]: training
     * before it, evaluation from it on; with them [before last, last]: training, evaluation, test.
     */
    private static List<Part> leaveLastOut(Dataset<Row> samples, InputConfig input) {
        String user = SampleRoles.userId(input).orElseThrow(() -> new IllegalStateException("checked before reading: the user column"));
        String time = input.getTimeField();
        boolean test = input.getSplit().getLeaveLastOut().getTest();
        Dataset<Row> timed = samples.where(col(user).isNotNull().and(col(time).isNotNull()))
                .select(col(user).cast(DataTypes.StringType).as("u"), col(time).cast(DataTypes.DoubleType).as("t"));
        Dataset<Row> last = timed.groupBy("u").agg(max("t").as("last"));
        Dataset<Row> cuts = test
                ? last.join(timed.join(last, "u").where(col("t").lt(col("last"))).groupBy("u").agg(max("t").as("before")), new String[]{"u"}, "left")
                : last;
        List<Row> rows = JobDescriptions.run(samples.sparkSession(), "last interaction of each user", cuts::collectAsList);
        Map<Long, double[]> byUser = new HashMap<>(rows.size() * 2);
        for (Row r : rows) {
            double lastTime = r.getDouble(r.fieldIndex("last"));
            byUser.put(SampleTableReader.groupKey(r.getString(r.fieldIndex("u"))), test
                    ? new double[]{r.isNullAt(r.fieldIndex("before")) ? lastTime : r.getDouble(r.fieldIndex("before")), lastTime}
                    : new double[]{lastTime});
        }
        LOG.info("leave-last-out split over {} users", byUser.size());
        if (!test) {
            return Arrays.asList(part(TRAIN, samples, new RowSelection.PerUserTimeWindow(time, user, byUser, -1, 0)),
                    part(EVAL, samples, new RowSelection.PerUserTimeWindow(time, user, byUser, 0, 1)), null);
        }
        return Arrays.asList(part(TRAIN, samples, new RowSelection.PerUserTimeWindow(time, user, byUser, -1, 0)),
                part(EVAL, samples, new RowSelection.PerUserTimeWindow(time, user, byUser, 0, 1)),
                part(TEST, samples, new RowSelection.PerUserTimeWindow(time, user, byUser, 1, 2)));
    }

    private static Part part(String name, Dataset<Row> samples, RowSelection selection) {
        return new Part(name, selection.apply(samples), selection);
    }

    /** The dt partitions of the dates: a partition filter, so the split's scan reads only their files. */
    private static Part byDates(String name, Dataset<Row> samples, List<String> dates) {
        return new Part(name, samples.where(col("dt").cast("string").isin(dates.toArray())), new RowSelection.All());
    }
}
