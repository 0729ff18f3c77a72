package org.recspark.bench.distill;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.recspark.bench.BenchArgs;
import org.recspark.bench.Median;
import org.recspark.bench.RealDatasets;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Distillation;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.Exporter;
import org.recspark.config.proto.ExporterType;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.MetricTarget;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.data.Examples;
import org.recspark.predictor.Predictor;
import org.recspark.trainer.eval.TrainingRun;

/**
 * Knowledge distillation on MovieLens-100K (bench/RESULTS.md, "Knowledge distillation"): a DeepFM
 * teacher, then small students trained on the hard labels alone and with a distillation term toward
 * the teacher's probability, each on the same by-time split and reported at its best evaluation AUC.
 *
 * <p>Rows: the ratings through each config's features ({@link RealDatasets#movieLens}); the first 80%
 * by time are split again by time, their last {@value #VALIDATION_FRACTION} being the evaluation rows
 * that pick each run's best bundle (export_config: BEST by auc), and the last 20% are the test rows,
 * on which that bundle is reported once. The teacher is trained first and its best bundle, loaded by
 * the {@link Predictor}, scores every row; its probabilities become the students' {@code
 * teacher_score} label column.
 *
 * <p>Students: the student config ({@code examples/trainer/movielens_lr_distilled.pbtxt}, logistic
 * regression) and a small DeepFM on the same data (embedding dimension 4 instead of 16, one hidden
 * layer of 16 instead of 256-128). Each trains without distillation and with every setting of a
 * small grid; the setting with the best evaluation AUC is then repeated with further seeds, as is the
 * student without distillation, and medians are reported.
 *
 * <p>Progress goes to stderr, the tables to stdout.
 *
 * <pre>
 *   DistillMovieLens --data DIR --out DIR --teacher CONFIG --student CONFIG [--threads N] [--seeds N]
 * </pre>
 */
public final class DistillMovieLens {
    static final double VALIDATION_FRACTION = 0.2;
    static final String SOFT_LABEL = "teacher_score";

    /** Validation and test AUC of one run (its best bundle by validation AUC), and its wall time. */
    record Result(String student, String setting, long seed, double validationAuc, double testAuc, double seconds) {}

    private final Path movieLens;
    private final Path out;
    private final Path configDir;
    private final int threads;
    private final List<Result> results = new ArrayList<>();

    DistillMovieLens(Path movieLens, Path out, Path configDir, int threads) {
        this.movieLens = movieLens;
        this.out = out;
        this.configDir = configDir;
        this.threads = threads;
    }

    /** The grid of distillation settings a student is tried with (beside none). */
    static List<Distillation> grid() {
        List<Distillation> grid = new ArrayList<>();
        for (float temperature : new float[]{1, 2, 4}) {
            grid.add(distillation(Distillation.Loss.CROSS_ENTROPY, 1f, temperature));
        }
        grid.add(distillation(Distillation.Loss.CROSS_ENTROPY, 0.5f, 2f));
        grid.add(distillation(Distillation.Loss.CROSS_ENTROPY, 2f, 2f));
        grid.add(distillation(Distillation.Loss.L2, 0.1f, 1f));
        return grid;
    }

    private static Distillation distillation(Distillation.Loss loss, float weight, float temperature) {
        return Distillation.newBuilder().setTask("rating").setSoftLabel(SOFT_LABEL).setSoftLabelIsLogit(false).setLoss(loss)
                .setLossWeight(weight).setTemperature(temperature).build();
    }

    static String describe(Optional<Distillation> d) {
        return d.map(k -> String.format(Locale.ROOT, "%s w=%s T=%s", k.getLoss(), k.getLossWeight(), k.getTemperature()))
                .orElse("none");
    }

    /** The small DeepFM: the student config's data, every embedding 4 wide, one hidden layer of 16. */
    static PipelineConfig smallDeepFm(PipelineConfig student) {
        PipelineConfig.Builder b = student.toBuilder();
        for (Feature.Builder f : b.getFeatureConfigBuilder().getFeaturesBuilderList()) {
            f.setEmbeddingDim(4);
        }
        ModelConfig.Builder m = b.getModelConfigBuilder().clearFeatureGroups().clearModel();
        m.addFeatureGroupsBuilder().setName("all").addAllFeatures(
                student.getModelConfig().getFeatureGroups(0).getFeaturesList());
        m.getDeepfmBuilder().getDnnBuilder().addHiddenUnits(16);
        return b.build();
    }

    /** The teacher's config with the bundle picked by evaluation AUC, as the students'. */
    public static PipelineConfig withBestExport(PipelineConfig config) {
        return config.toBuilder().setExportConfig(ExportConfig.newBuilder()
                .addExporters(Exporter.newBuilder().setType(ExporterType.BEST))
                .setBestMetric(MetricTarget.newBuilder().setMetric("auc"))).build();
    }

    /** Training, evaluation and test rows through the config's features. */
    private List<Examples> rows(PipelineConfig config) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configDir);
        RealDatasets.TrainTest sets = RealDatasets.movieLens(movieLens, generator);
        Examples all = sets.train();
        int validation = (int) Math.floor(all.numRows() * VALIDATION_FRACTION);
        return List.of(all.slice(0, all.numRows() - validation), all.slice(all.numRows() - validation, all.numRows()), sets.test());
    }

    private TrainingRun.Summary train(PipelineConfig config, List<Examples> rows, Path runDir) {
        var schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
        return new TrainingRun(config, configDir, schema, runDir, threads).overwriting(true).run(rows.get(0), rows.get(1), Optional.of(rows.get(2)));
    }

    private Result record(String student, String setting, long seed, TrainingRun.Summary summary, long startedNanos) {
        double validation = summary.outcome().best().map(e -> e.metrics().get("auc")).orElse(Double.NaN);
        Result r = new Result(student, setting, seed, validation, summary.testMetrics().get("auc"), (System.nanoTime() - startedNanos) / 1e9);
        System.err.printf(Locale.ROOT, "%s [%s] seed %d: validation AUC %.4f, test AUC %.4f (%.0f s)%n", student, setting, seed,
                r.validationAuc(), r.testAuc(), r.seconds());
        results.add(r);
        return r;
    }

    /** The teacher's probabilities of each row set, from its reported bundle. */
    private static List<float[]> teacherScores(Path bundle, List<Examples> rows) {
        Predictor teacher = Predictor.load(bundle);
        List<float[]> out = new ArrayList<>();
        for (Examples part : rows) {
            float[] scores = new float[part.numRows()];
            for (int from = 0; from < part.numRows(); from += 4096) {
                int to = Math.min(part.numRows(), from + 4096);
                System.arraycopy(teacher.score(part.slice(from, to)).scores(), 0, scores, from, to - from);
            }
            out.add(scores);
        }
        return out;
    }

    private void run(PipelineConfig teacherConfig, PipelineConfig studentConfig, int seeds) {
        long started = System.nanoTime();
        PipelineConfig teacher = withBestExport(teacherConfig);
        List<Examples> teacherRows = rows(teacher);
        TrainingRun.Summary teacherRun = train(teacher, teacherRows, out.resolve("teacher"));
        record("teacher deepfm", "-", teacher.getTrainConfig().getSeed(), teacherRun, started);
        Path bundle = teacherRun.exported().orElseThrow(() -> new IllegalStateException("the teacher exported no bundle"));
        List<float[]> soft = teacherScores(bundle, teacherRows);

        Map<String, PipelineConfig> students = new LinkedHashMap<>();
        students.put("lr", studentConfig);
        students.put("small deepfm", smallDeepFm(studentConfig));
        for (Map.Entry<String, PipelineConfig> s : students.entrySet()) {
            String name = s.getKey();
            List<Examples> plain = rows(s.getValue());
            List<Examples> rows = new ArrayList<>();
            for (int i = 0; i < plain.size(); i++) {
                rows.add(plain.get(i).withLabel(SOFT_LABEL, soft.get(i)));
            }
            long seed = s.getValue().getTrainConfig().getSeed();
            Optional<Distillation> best = Optional.empty();
            double bestValidation = runStudent(name, s.getValue(), Optional.empty(), seed, rows).validationAuc();
            for (Distillation d : grid()) {
                Result r = runStudent(name, s.getValue(), Optional.of(d), seed, rows);
                if (r.validationAuc() > bestValidation) {
                    bestValidation = r.validationAuc();
                    best = Optional.of(d);
                }
            }
            System.err.println(name + ": best setting by validation AUC: " + describe(best));
            for (int k = 1; k < seeds; k++) {
                runStudent(name, s.getValue(), Optional.empty(), seed + k, rows);
                if (best.isPresent()) {
                    runStudent(name, s.getValue(), best, seed + k, rows);
                }
            }
        }
    }

    private Result runStudent(String name, PipelineConfig base, Optional<Distillation> distillation, long seed, List<Examples> rows) {
        long started = System.nanoTime();
        TrainConfig.Builder train = base.getTrainConfig().toBuilder().clearDistillation().setSeed(seed);
        distillation.ifPresent(train::addDistillation);
        PipelineConfig config = base.toBuilder().setTrainConfig(train).build();
        String setting = describe(distillation);
        String dir = (name + "-" + setting + "-" + seed).replaceAll("[^A-Za-z0-9.=-]+", "_");
        return record(name, setting, seed, train(config, rows, out.resolve(dir)), started);
    }

    /** The markdown table: every run, then per student and setting the medians over seeds. */
    String table() {
        StringBuilder sb = new StringBuilder("| model | distillation | seed | validation AUC | test AUC | seconds |\n|---|---|---|---|---|---|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.1f |%n", r.student(), r.setting(), r.seed(),
                    r.validationAuc(), r.testAuc(), r.seconds()));
        }
        sb.append("\n| model | distillation | runs | median validation AUC | median test AUC |\n|---|---|---|---|---|\n");
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : results) {
            groups.computeIfAbsent(r.student() + " | " + r.setting(), k -> new ArrayList<>()).add(r);
        }
        groups.forEach((key, rs) -> {
            if (rs.size() > 1 || key.startsWith("teacher")) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f |%n", key, rs.size(),
                        Median.of(rs.stream().mapToDouble(Result::validationAuc).toArray()), Median.of(rs.stream().mapToDouble(Result::testAuc).toArray())));
            }
        });
        return sb.toString();
    }


    /** The benchmark's entry point (a process boundary: it prints the table). */
    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: DistillMovieLens --data DIR --out DIR --teacher CONFIG --student CONFIG "
                + "[--threads N] [--seeds N]", Set.of("teacher", "student", "data", "out", "threads", "seeds"));
        Path teacher = a.path("teacher");
        Path student = a.path("student");
        Path data = a.path("data");
        Path out = a.path("out");
        int threads = a.integer("threads", 2);
        int seeds = a.integer("seeds", 3);
        long started = System.nanoTime();
        DistillMovieLens bench = new DistillMovieLens(data, out, teacher.toAbsolutePath().getParent(), threads);
        bench.run(ConfigParser.load(teacher), ConfigParser.load(student), seeds);
        System.out.print(bench.table());
        System.out.printf(Locale.ROOT, "total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
}
