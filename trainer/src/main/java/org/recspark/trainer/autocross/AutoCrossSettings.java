package org.recspark.trainer.autocross;

/**
 * How far a cross search goes.
 *
 * @param top           at most this many crosses are selected
 * @param maxOrder      largest number of fields in a cross (2 for pairs only)
 * @param maxCandidates at most this many candidates are scored per round
 * @param minGain       a cross is selected only if it raises the validation AUC by at least this much
 * @param l2            L2 penalty of the field-wise logistic regression, per weight
 * @param sweeps        backfitting passes over all columns after a cross joins the model
 * @param threads       candidates scored at once
 */
public record AutoCrossSettings(int top, int maxOrder, int maxCandidates, double minGain, double l2, int sweeps, int threads) {
    public AutoCrossSettings {
        require(top >= 1, "top must be >= 1, got " + top);
        require(maxOrder >= 2, "max order must be >= 2, got " + maxOrder);
        require(maxCandidates >= 1, "max candidates must be >= 1, got " + maxCandidates);
        require(minGain >= 0, "min gain must be >= 0, got " + minGain);
        require(l2 > 0, "l2 must be > 0, got " + l2);
        require(sweeps >= 0, "sweeps must be >= 0, got " + sweeps);
        require(threads >= 1, "threads must be >= 1, got " + threads);
    }

    public static AutoCrossSettings defaults(int top, int maxOrder, int threads) {
        return new AutoCrossSettings(top, maxOrder, 200, 1e-4, 1.0, 2, threads);
    }

    public AutoCrossSettings withMinGain(double gain) {
        return new AutoCrossSettings(top, maxOrder, maxCandidates, gain, l2, sweeps, threads);
    }

    public AutoCrossSettings withMaxCandidates(int candidates) {
        return new AutoCrossSettings(top, maxOrder, candidates, minGain, l2, sweeps, threads);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
