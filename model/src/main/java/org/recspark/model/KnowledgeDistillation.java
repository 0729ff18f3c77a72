package org.recspark.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Distillation;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Knowledge distillation (Hinton et al. 2015, "Distilling the Knowledge in a Neural Network") around
 * a model's own objective: for each {@code train_config.distillation}, a term pulling a binary
 * task's logit toward a teacher's score read from a label column of the samples, added to the
 * objective's loss on the hard labels. With temperature T both sides are softened to sigmoid(logit /
 * T) and the term is multiplied by T^2, so its gradient, T (sigmoid(z_s / T) - sigmoid(z_t / T)),
 * keeps its size as T grows (Hinton's argument, here for the two-class sigmoid).
 */
public final class KnowledgeDistillation implements TrainingObjective {
    /** Probabilities are clipped to [EPS, 1 - EPS] before their logit is taken. */
    private static final double EPS = 1e-7;

    private final TrainingObjective base;
    private final List<Term> terms;

    /** One configured term, its task resolved; {@code path} is its config path for errors. */
    private record Term(String path, String task, Distillation config) {}

    private KnowledgeDistillation(TrainingObjective base, List<Term> terms) {
        this.base = base;
        this.terms = List.copyOf(terms);
    }

    /**
     * {@code base} with the configured distillation terms added, or {@code base} itself when there are none.
     *
     * @throws ConfigException when a term names no task of {@code tasks} (the plan reports it first)
     */
    public static TrainingObjective around(TrainingObjective base, List<Distillation> configs, List<TaskSpec> tasks) {
        if (configs.isEmpty()) {
            return base;
        }
        List<Term> terms = new ArrayList<>();
        List<Violation> problems = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            String path = path(i);
            Distillation d = configs.get(i);
            Optional<TaskSpec> task = resolveTask(d, tasks, path, problems);
            task.ifPresent(t -> terms.add(new Term(path, t.name(), d)));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new KnowledgeDistillation(base, terms);
    }

    /**
     * Every problem of {@code train_config.distillation} with its path: the soft label must be a
     * label read as is; with the model's {@code tasks} (null when the model could not be built),
     * the task must exist, give a logit and not learn the soft label as its hard label.
     */
    public static List<Violation> check(PipelineConfig config, List<TaskSpec> tasks) {
        List<Violation> problems = new ArrayList<>();
        List<Distillation> configs = config.getTrainConfig().getDistillationList();
        List<LabelField> labels = config.getInputConfig().getLabelsList();
        for (int i = 0; i < configs.size(); i++) {
            String path = path(i);
            Distillation d = configs.get(i);
            if (d.hasSoftLabel()) {
                Optional<LabelField> label = labels.stream().filter(l -> l.getName().equals(d.getSoftLabel())).findFirst();
                if (label.isEmpty()) {
                    problems.add(new Violation(path + ".soft_label", "'" + d.getSoftLabel() + "' is not one of input_config.labels "
                            + labels.stream().map(LabelField::getName).toList() + ": declare the teacher's score column there "
                            + "(without positive_threshold) so training reads it from the samples"));
                } else if (label.get().hasPositiveThreshold()) {
                    problems.add(new Violation(path + ".soft_label", "label '" + d.getSoftLabel() + "' has a positive_threshold ("
                            + label.get().getPositiveThreshold() + "), which would turn the teacher's score into 0 or 1; "
                            + "declare it without one"));
                }
            }
            if (d.getLoss() == Distillation.Loss.L2 && d.getTemperature() != 1f) {
                problems.add(new Violation(path + ".temperature", "is " + d.getTemperature() + " with loss L2: a squared logit "
                        + "difference scaled by T^2 does not depend on T; leave it at 1 or use CROSS_ENTROPY or KL_DIVERGENCE"));
            }
            if (tasks != null) {
                resolveTask(d, tasks, path, problems).ifPresent(task -> {
                    if (task.kind() != TaskSpec.OutputKind.LOGIT) {
                        problems.add(new Violation(path + ".task", "task '" + task.name() + "' outputs a " + task.kind().name().toLowerCase()
                                + "; distillation needs a task whose output is a logit (trained with BINARY_CROSS_ENTROPY)"));
                    } else if (task.label().equals(d.getSoftLabel())) {
                        problems.add(new Violation(path + ".soft_label", "'" + d.getSoftLabel() + "' is the hard label of task '"
                                + task.name() + "'; the soft label is a teacher's score in its own column"));
                    }
                });
            }
        }
        return problems;
    }

    private static Optional<TaskSpec> resolveTask(Distillation d, List<TaskSpec> tasks, String path, List<Violation> problems) {
        List<String> names = tasks.stream().map(TaskSpec::name).toList();
        if (d.getTask().isEmpty()) {
            if (tasks.size() == 1) {
                return Optional.of(tasks.get(0));
            }
            problems.add(new Violation(path + ".task", "is required when the model has " + tasks.size() + " tasks " + names));
            return Optional.empty();
        }
        Optional<TaskSpec> task = tasks.stream().filter(t -> t.name().equals(d.getTask())).findFirst();
        if (task.isEmpty()) {
            problems.add(new Violation(path + ".task", "'" + d.getTask() + "' is not a task of the model " + names));
        }
        return task;
    }

    private static String path(int i) {
        return "train_config.distillation[" + i + "]";
    }

    @Override
    public void beforeStep(Examples batch, long step) {
        base.beforeStep(batch, step);
    }

    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        Graph g = pass.graph();
        List<Tensor> parts = new ArrayList<>();
        parts.add(base.loss(pass, output, scale));
        for (Term term : terms) {
            parts.add(term(g, output.task(term.task()), teacherLogits(term, pass.batch().label(term.config().getSoftLabel())), term, scale));
        }
        return g.sum(parts);
    }

    private static Tensor term(Graph g, Tensor studentLogits, float[] teacherLogits, Term term, float scale) {
        Distillation d = term.config();
        float weight = scale * d.getLossWeight();
        float t = d.getTemperature();
        if (d.getLoss() == Distillation.Loss.L2) {
            return g.squaredError(studentLogits, teacherLogits, weight);
        }
        float[] targets = new float[teacherLogits.length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (float) sigmoid(teacherLogits[i] / t);
        }
        Tensor softened = t == 1f ? studentLogits : g.scale(studentLogits, 1f / t);
        float scaled = weight * t * t;
        return d.getLoss() == Distillation.Loss.KL_DIVERGENCE
                ? g.binaryKlDivergenceWithLogits(softened, targets, scaled)
                : g.binaryCrossEntropyWithLogits(softened, targets, scaled);
    }

    /** The teacher's logits from the soft label column, checked: a bad value fails the step naming the column. */
    private static float[] teacherLogits(Term term, float[] soft) {
        boolean isLogit = term.config().getSoftLabelIsLogit();
        float[] logits = new float[soft.length];
        for (int i = 0; i < soft.length; i++) {
            float v = soft[i];
            if (isLogit ? !Float.isFinite(v) : !(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(term.path() + ".soft_label: column '" + term.config().getSoftLabel() + "' holds " + v
                        + (isLogit ? ", not a finite logit" : ", not a probability in [0, 1] (soft_label_is_logit is false)"));
            }
            if (isLogit) {
                logits[i] = v;
            } else {
                double p = Math.min(Math.max(v, EPS), 1 - EPS);
                logits[i] = (float) Math.log(p / (1 - p));
            }
        }
        return logits;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
