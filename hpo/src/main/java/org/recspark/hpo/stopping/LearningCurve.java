package org.recspark.hpo.stopping;

import java.util.ArrayList;
import java.util.List;
import org.recspark.hpo.Objective;

/**
 * A trial's objective at each of its evaluations so far, in order. Trials are compared by the
 * training examples they have seen ({@code step x batch_size}), not by step, so that trials with
 * different batch sizes meet at the same amount of training. Immutable.
 */
public record LearningCurve(List<Point> points) {
    /** One evaluation: its step, the examples seen by then, and the objective metric's value. */
    public record Point(long step, long examples, double value) {}

    public LearningCurve {
        points = List.copyOf(points);
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).examples() < points.get(i - 1).examples()) {
                throw new IllegalArgumentException("evaluations out of order: " + points);
            }
        }
    }

    public static LearningCurve empty() {
        return new LearningCurve(List.of());
    }

    public LearningCurve plus(Point point) {
        List<Point> out = new ArrayList<>(points);
        out.add(point);
        return new LearningCurve(out);
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    public Point last() {
        return points.get(points.size() - 1);
    }

    /** The examples seen at the last evaluation, 0 for an empty curve. */
    public long lastExamples() {
        return points.isEmpty() ? 0 : last().examples();
    }

    /** The best value over the evaluations made after at most {@code examples} examples; NaN when there is none. */
    public double bestUpTo(long examples, Objective objective) {
        double best = Double.NaN;
        for (Point p : points) {
            if (p.examples() > examples) {
                break;
            }
            if (objective.better(p.value(), best)) {
                best = p.value();
            }
        }
        return best;
    }

    /** The best value over all evaluations; NaN when there is none. */
    public double best(Objective objective) {
        return bestUpTo(Long.MAX_VALUE, objective);
    }
}
