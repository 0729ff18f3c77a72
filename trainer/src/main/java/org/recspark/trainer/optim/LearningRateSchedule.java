package org.recspark.trainer.optim;

import org.recspark.config.proto.LearningRate;

/** The learning rate at a step: linear warm-up from 0, then constant, exponential or cosine decay. */
public final class LearningRateSchedule {
    private final LearningRate config;

    public LearningRateSchedule(LearningRate config) {
        this.config = config;
    }

    /** The rate for the step with this 0-based index. */
    public double at(long step) {
        double initial = config.getInitial();
        long warmup = config.getWarmupSteps();
        if (step < warmup) {
            return initial * (step + 1) / warmup;
        }
        long s = step - warmup;
        return switch (config.getScheduleCase()) {
            case EXPONENTIAL_DECAY -> {
                var d = config.getExponentialDecay();
                double exponent = (double) s / d.getDecaySteps();
                yield initial * Math.pow(d.getDecayRate(), d.getStaircase() ? Math.floor(exponent) : exponent);
            }
            case COSINE_DECAY -> {
                var c = config.getCosineDecay();
                double progress = Math.min(s, c.getDecaySteps()) / (double) c.getDecaySteps();
                double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
                yield initial * ((1 - c.getAlpha()) * cosine + c.getAlpha());
            }
            case SCHEDULE_NOT_SET -> initial;
        };
    }
}
