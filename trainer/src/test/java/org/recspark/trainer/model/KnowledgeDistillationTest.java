package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.Distillation;
import org.recspark.config.proto.LossType;
import org.recspark.model.KnowledgeDistillation;
import org.recspark.model.Model;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskLosses;
import org.recspark.model.TaskSpec;
import org.recspark.model.TrainingObjective;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;

/**
 * The distillation objective on a student whose logits are free variables: its value against the
 * formulas of each loss, its gradients against central differences, the T^2 scaling that keeps the
 * gradient's size as the temperature grows, probabilities read as their logits, bad soft labels
 * refused, and plain gradient descent on the logits moving the student's probabilities to the
 * teacher's.
 */
class KnowledgeDistillationTest {
    private static final String TEACHER = "teacher";
    private static final TaskSpec CLICK = new TaskSpec("click", "click", LossType.BINARY_CROSS_ENTROPY, 1f, TaskSpec.OutputKind.LOGIT);
    private static final float[] STUDENT = {0.4f, -1.3f, 2.2f, 0.1f, -0.6f, 1.5f};
    private static final float[] TEACHER_LOGITS = {1.8f, -0.2f, -1.1f, 0.9f, -2.4f, 0.3f};

    /** The six rows' hard labels, with the teacher's column beside them. */
    private static Examples batch(float[] teacherColumn) {
        return ZooFixture.data().test().slice(0, STUDENT.length).withLabel(TEACHER, teacherColumn);
    }

    /** A model whose only task's logits are the given values (a leaf with a fresh gradient buffer per pass). */
    private record FreeLogits(float[] logits, float[][] lastGradient) implements Model {
        FreeLogits(float[] logits) {
            this(logits, new float[1][]);
        }

        @Override
        public List<TaskSpec> tasks() {
            return List.of(CLICK);
        }

        @Override
        public ModelOutput forward(Pass pass) {
            lastGradient[0] = new float[logits.length];
            return new ModelOutput().put(CLICK.name(), pass.graph().leaf(logits.length, 1, logits, lastGradient[0]));
        }
    }

    private static Distillation.Builder kd(Distillation.Loss loss, float weight, float temperature) {
        return Distillation.newBuilder().setSoftLabel(TEACHER).setLoss(loss).setLossWeight(weight).setTemperature(temperature);
    }

    private static TrainingObjective objective(Distillation.Builder... terms) {
        return KnowledgeDistillation.around(new TaskLosses(List.of(CLICK)),
                Arrays.stream(terms).map(Distillation.Builder::build).toList(), List.of(CLICK));
    }

    private static float lossOf(TrainingObjective objective, FreeLogits model, Examples batch, float scale) {
        Graph graph = new Graph(true, 1);
        Pass pass = new Pass(graph, batch, new Gradients());
        return objective.loss(pass, model.forward(pass), scale).data()[0];
    }

    /** The gradient of the objective w.r.t. the logits at scale 1. */
    private static float[] gradient(TrainingObjective objective, float[] logits, Examples batch) {
        FreeLogits model = new FreeLogits(logits);
        Graph graph = new Graph(true, 1);
        Pass pass = new Pass(graph, batch, new Gradients());
        graph.backward(objective.loss(pass, model.forward(pass), 1f));
        return model.lastGradient()[0];
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @ParameterizedTest
    @CsvSource({"CROSS_ENTROPY, 1", "CROSS_ENTROPY, 3", "KL_DIVERGENCE, 1", "KL_DIVERGENCE, 2.5", "L2, 1"})
    void theTermIsTheWeightedLossOfTheSoftenedOutputs(Distillation.Loss loss, float temperature) {
        Examples batch = batch(TEACHER_LOGITS);
        FreeLogits model = new FreeLogits(STUDENT.clone());
        float scale = 1f / STUDENT.length;
        float weight = 0.7f;
        double term = lossOf(objective(kd(loss, weight, temperature)), model, batch, scale)
                - lossOf(TrainingObjective.of(model), model, batch, scale);
        double expected = 0;
        for (int i = 0; i < STUDENT.length; i++) {
            double q = sigmoid(TEACHER_LOGITS[i] / temperature);
            double p = sigmoid(STUDENT[i] / temperature);
            double crossEntropy = -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
            double entropy = -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
            double d = STUDENT[i] - TEACHER_LOGITS[i];
            expected += switch (loss) {
                case CROSS_ENTROPY -> temperature * temperature * crossEntropy;
                case KL_DIVERGENCE -> temperature * temperature * (crossEntropy - entropy);
                case L2 -> d * d;
            };
        }
        assertEquals(expected * weight * scale, term, 2e-5 * Math.max(1, expected), loss + " at T=" + temperature);
    }

    @ParameterizedTest
    @CsvSource({"CROSS_ENTROPY, 1", "CROSS_ENTROPY, 4", "KL_DIVERGENCE, 2", "L2, 1"})
    void gradientsMatchCentralDifferences(Distillation.Loss loss, float temperature) {
        Examples batch = batch(TEACHER_LOGITS);
        float[] logits = STUDENT.clone();
        FreeLogits model = new FreeLogits(logits);
        TrainingObjective objective = objective(kd(loss, 0.8f, temperature));
        GradientChecker.check(loss + " T=" + temperature, GradientChecker.DEFAULT.withStep(1e-3).withTolerance(1e-2, 1e-4), graph -> {
            Pass pass = new Pass(graph, batch, new Gradients());
            return objective.loss(pass, model.forward(pass), 1f / logits.length);
        }, List.of(Variable.of("logits", logits)), v -> model.lastGradient()[0]);
    }

    @Test
    void theTemperatureSquaredKeepsTheGradientsSizeAsTheTemperatureGrows() {
        // Without T^2 the softened term's gradient, (sigmoid(z_s / T) - sigmoid(z_t / T)) / T, would
        // shrink like 1 / T^2; with it, it tends to (z_s - z_t) / 4 (sigmoid's slope at 0 is 1/4).
        Examples batch = batch(TEACHER_LOGITS);
        float[] hard = gradient(TrainingObjective.of(new FreeLogits(STUDENT)), STUDENT, batch);
        float[] atHighT = gradient(objective(kd(Distillation.Loss.CROSS_ENTROPY, 1f, 40f)), STUDENT, batch);
        for (int i = 0; i < STUDENT.length; i++) {
            double term = atHighT[i] - hard[i];
            double limit = (STUDENT[i] - TEACHER_LOGITS[i]) / 4.0;
            assertEquals(limit, term, 0.01 * Math.abs(limit) + 1e-4, "row " + i + ": the term's gradient at T=40");
        }
    }

    @Test
    void probabilitiesAreReadAsTheirLogits() {
        float[] probabilities = new float[TEACHER_LOGITS.length];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = (float) sigmoid(TEACHER_LOGITS[i]);
        }
        FreeLogits model = new FreeLogits(STUDENT.clone());
        float fromLogits = lossOf(objective(kd(Distillation.Loss.CROSS_ENTROPY, 1f, 2f)), model, batch(TEACHER_LOGITS), 1f);
        float fromProbabilities = lossOf(objective(kd(Distillation.Loss.CROSS_ENTROPY, 1f, 2f).setSoftLabelIsLogit(false)), model,
                batch(probabilities), 1f);
        assertEquals(fromLogits, fromProbabilities, 1e-5);
    }

    @Test
    void softLabelsOutsideTheirRangeFailTheStepNamingTheColumn() {
        float[] column = {0.2f, 0.9f, 0.5f, 1.5f, 0f, 1f};
        FreeLogits model = new FreeLogits(STUDENT.clone());
        TrainingObjective objective = objective(kd(Distillation.Loss.CROSS_ENTROPY, 1f, 1f).setSoftLabelIsLogit(false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lossOf(objective, model, batch(column), 1f));
        assertTrue(e.getMessage().contains("train_config.distillation[0].soft_label") && e.getMessage().contains("'teacher' holds 1.5"),
                e.getMessage());
        column[3] = Float.NaN;
        TrainingObjective logits = objective(kd(Distillation.Loss.L2, 1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> lossOf(logits, model, batch(column), 1f));
    }

    @Test
    void withoutTermsTheObjectiveIsTheModelsOwn() {
        TrainingObjective base = new TaskLosses(List.of(CLICK));
        assertSame(base, KnowledgeDistillation.around(base, List.of(), List.of(CLICK)));
        ConfigException e = assertThrows(ConfigException.class, () -> KnowledgeDistillation.around(base,
                List.of(kd(Distillation.Loss.CROSS_ENTROPY, 1f, 1f).setTask("ctr").build()), List.of(CLICK)));
        assertEquals("train_config.distillation[0].task", e.violations().get(0).path());
    }

    @Test
    void gradientDescentOnTheDistillationTermMovesTheStudentToTheTeacher() {
        // a heavy distillation weight against the hard labels: the student ends near the teacher's
        // probabilities, much nearer than where it started
        Examples batch = batch(TEACHER_LOGITS);
        float[] logits = STUDENT.clone();
        TrainingObjective objective = objective(kd(Distillation.Loss.CROSS_ENTROPY, 50f, 2f));
        double before = meanProbabilityGap(logits);
        for (int step = 0; step < 300; step++) {
            float[] g = gradient(objective, logits, batch);
            for (int i = 0; i < logits.length; i++) {
                logits[i] -= 0.01f * g[i];
            }
        }
        double after = meanProbabilityGap(logits);
        assertTrue(after < 0.05 && after < before / 5, "mean |p_student - p_teacher| went from " + before + " to " + after);
    }

    private static double meanProbabilityGap(float[] logits) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            sum += Math.abs(sigmoid(logits[i]) - sigmoid(TEACHER_LOGITS[i]));
        }
        return sum / logits.length;
    }
}
