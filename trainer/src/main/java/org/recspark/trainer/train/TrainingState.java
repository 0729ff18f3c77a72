package org.recspark.trainer.train;

/** Where training stands: steps taken, the epoch and batch within it, samples seen. */
public final class TrainingState {
    private long globalStep;
    private int epoch;
    private long batchInEpoch;
    private long samplesSeen;

    public long globalStep() {
        return globalStep;
    }

    public int epoch() {
        return epoch;
    }

    /** Batches of the current epoch already trained. */
    public long batchInEpoch() {
        return batchInEpoch;
    }

    public long samplesSeen() {
        return samplesSeen;
    }

    void stepDone(int batchRows) {
        globalStep++;
        batchInEpoch++;
        samplesSeen += batchRows;
    }

    void epochDone() {
        epoch++;
        batchInEpoch = 0;
    }

    void restore(long step, int restoredEpoch, long batch, long samples) {
        this.globalStep = step;
        this.epoch = restoredEpoch;
        this.batchInEpoch = batch;
        this.samplesSeen = samples;
    }

    @Override
    public String toString() {
        return "step " + globalStep + ", epoch " + epoch + " batch " + batchInEpoch + ", " + samplesSeen + " samples";
    }
}
