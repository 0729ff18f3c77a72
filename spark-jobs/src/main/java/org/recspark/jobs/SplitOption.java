package org.recspark.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;
import org.recspark.jobs.training.SampleSplit;

/**
 * {@code --split train|eval|test|all} of predict and evaluate: the rows of one part of the config's
 * own input_config.split, the parts train selects from the built samples ({@link SampleSplit}), so
 * that predict scores exactly the rows train held out and evaluate's metrics are that part's.
 * predict writes the part's name in the {@value #COLUMN} column; evaluate selects by it. {@code all}
 * (the default) is every row, without that column.
 */
enum SplitOption {
    TRAIN, EVAL, TEST, ALL;

    /** The column of predict's output that names the split its rows belong to. */
    static final String COLUMN = "split";
    static final String NAME = "split";

    /** The option's value as written on the command line. */
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The split the command line asks for ({@code all} when absent), checked against the config's
     * input_config.split: a part the config does not define is a usage error naming its path.
     */
    static SplitOption of(CommandLine cl, InputConfig input) {
        Optional<String> given = cl.optional(NAME);
        SplitOption split = given.map(v -> Arrays.stream(values()).filter(s -> s.value().equals(v)).findFirst()
                .orElseThrow(() -> new UsageException("--split must be one of train, eval, test, all, got '" + v + "'"))).orElse(ALL);
        if (split != ALL) {
            split.requireDefinedBy(input.getSplit());
        }
        return split;
    }

    private void requireDefinedBy(DataSplit split) {
        String option = "--split " + value() + ": ";
        switch (split.getKindCase()) {
            case KIND_NOT_SET -> throw new UsageException(option + "input_config.split is not set, so the config defines no "
                    + value() + " rows; set it (by_time, random or by_date) as for train");
            case EVAL_TABLE -> {
                if (this == TEST) {
                    throw new UsageException(option + "input_config.split.eval_table holds out evaluation rows only: the config holds out no test rows");
                }
            }
            case BY_TIME -> {
                if (this == TEST && split.getByTime().getTestFraction() == 0) {
                    throw new UsageException(option + "input_config.split.by_time.test_fraction is 0: the config holds out no test rows");
                }
            }
            case RANDOM -> {
                if (this == TEST && split.getRandom().getTestFraction() == 0) {
                    throw new UsageException(option + "input_config.split.random.test_fraction is 0: the config holds out no test rows");
                }
            }
            case BY_DATE -> {
                if (this == TEST && split.getByDate().getTestDatesCount() == 0) {
                    throw new UsageException(option + "input_config.split.by_date.test_dates is empty: the config holds out no test rows");
                }
            }
            case LEAVE_LAST_OUT -> {
                if (this == TEST && !split.getLeaveLastOut().getTest()) {
                    throw new UsageException(option + "input_config.split.leave_last_out.test is false: the config holds out no test rows");
                }
            }
        }
    }

    /** The rows of this part of the config's split among {@code rows} (checked samples), named in {@value #COLUMN}. */
    Dataset<Row> select(Dataset<Row> rows, InputConfig input) {
        if (this == ALL) {
            return rows;
        }
        List<SampleSplit.Part> parts = SampleSplit.parts(rows, input);
        return parts.get(ordinal()).rows().withColumn(COLUMN, lit(value()));
    }

    /** The rows of predict's output that belong to this part; refuses an output that predict did not split. */
    Dataset<Row> selectScored(Dataset<Row> scored, String location) {
        if (this == ALL) {
            return scored;
        }
        if (!List.of(scored.columns()).contains(COLUMN)) {
            throw new UsageException("--split " + value() + ": the predictions at " + location + " have no " + COLUMN
                    + " column; score them with predict --split " + value());
        }
        return scored.where(col(COLUMN).equalTo(value()));
    }
}
