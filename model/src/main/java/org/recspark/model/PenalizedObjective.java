package org.recspark.model;

import java.util.ArrayList;
import java.util.List;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.nn.Penalty;
import org.recspark.model.tensor.Tensor;

/** An objective with the model's registered {@link Penalty} terms added to its loss. */
public final class PenalizedObjective implements TrainingObjective {
    private final TrainingObjective base;
    private final List<Penalty> penalties;

    private PenalizedObjective(TrainingObjective base, List<Penalty> penalties) {
        this.base = base;
        this.penalties = List.copyOf(penalties);
    }

    /** {@code base} plus the penalties, or {@code base} itself when there are none. */
    public static TrainingObjective around(TrainingObjective base, List<Penalty> penalties) {
        return penalties.isEmpty() ? base : new PenalizedObjective(base, penalties);
    }

    @Override
    public void beforeStep(Examples batch, long step) {
        base.beforeStep(batch, step);
    }

    @Override
    public Tensor loss(Pass pass, ModelOutput output, float scale) {
        List<Tensor> parts = new ArrayList<>();
        parts.add(base.loss(pass, output, scale));
        for (Penalty penalty : penalties) {
            parts.add(penalty.loss(pass, scale));
        }
        return pass.graph().sum(parts);
    }
}
