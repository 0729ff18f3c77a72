package org.recspark.jobs.hpo;

import static org.apache.spark.sql.functions.lit;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.InputConfig;
import org.recspark.hpo.trial.TrialExecutor;
import org.recspark.hpo.trial.TrialJson;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialRunner;
import org.recspark.hpo.trial.TrialSpec;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.training.SampleTableReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each trial as one Spark task: the trial's sample rows (training, evaluation and test, marked
 * with their role) are coalesced into a single partition, so one task reads them from the samples
 * path and trains the trial with {@link TrialTask}; the outcome comes back as the job's one result.
 *
 * <p>Each trial is its own Spark job, submitted from the search's trial threads, so up to
 * {@code hpo_config.parallelism} trials run at once on the cluster's executors (one task slot each)
 * and the driver logs every trial as it starts and finishes; one job over all trials would report
 * nothing until the slowest had finished. The job group names the trial in the Spark UI.
 *
 * <p>A trial's own failure is a FAILED outcome, so the job succeeds and Spark does not retry it; a
 * lost executor makes Spark rerun the task (the trial starts again in a cleared run directory).
 * The search directory and the config's directory must be paths every executor sees (a shared
 * mount), as for {@code train --workers}.
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrialExecutor.class);

    private final SparkSession spark;
    private final TrialSamples samples;
    private final TrialRunner runner;
    private final int taskThreads;

    public SparkTrialExecutor(SparkSession spark, TrialSamples samples, TrialRunner runner) {
        this.spark = spark;
        this.samples = samples;
        this.runner = runner;
        int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        if (runner.threads() > taskCpus) {
            LOG.warn("{} training threads per trial but spark.task.cpus is {}: using {} (raise spark.task.cpus for more)", runner.threads(),
                    taskCpus, taskCpus);
        }
        this.taskThreads = Math.min(runner.threads(), taskCpus);
    }

    @Override
    public TrialOutcome run(TrialSpec spec, Path runDir) {
        InputConfig input = spec.config().getInputConfig();
        TrialSamples.Split split = samples.splitFor(spec.config());
        Dataset<Row> rows = SampleTableReader.select(split.train(), input).withColumn(TrialTask.ROLE, lit(TrialTask.TRAIN))
                .unionByName(SampleTableReader.select(split.eval(), input).withColumn(TrialTask.ROLE, lit(TrialTask.EVAL)));
        if (split.test().isPresent()) {
            rows = rows.unionByName(SampleTableReader.select(split.test().get(), input).withColumn(TrialTask.ROLE, lit(TrialTask.TEST)));
        }
        String group = "hpo-trial-" + spec.number();
        spark.sparkContext().setJobGroup(group, JobDescriptions.describe("trial " + spec.number() + " " + spec.params()), false);
        try {
            List<String> result = rows.coalesce(1).mapPartitions(new TrialTask(spec, runner, runDir, taskThreads), Encoders.STRING()).collectAsList();
            if (result.size() != 1) {
                throw new IllegalStateException("trial " + spec.number() + "'s job returned " + result.size() + " results, expected 1");
            }
            return TrialJson.outcome(JsonParser.parseString(result.get(0)).getAsJsonObject());
        } finally {
            spark.sparkContext().clearJobGroup();
        }
    }
}
