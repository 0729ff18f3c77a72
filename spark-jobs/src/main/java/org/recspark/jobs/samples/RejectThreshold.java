package org.recspark.jobs.samples;

import java.util.Locale;

/**
 * input_config.rejects.max_fraction applied to one input's rows: more rejected rows than that
 * fraction of all its rows fails the job with a {@link TooManyRejectsException} saying how many of
 * what, why and where the rejected rows are. Zero allows none; one allows all.
 */
public record RejectThreshold(double maxFraction) {

    /**
     * @param rows what was counted, e.g. "samples" or "rows of input_config.behaviours.table"
     * @param detail the breakdown and the rejects' location, appended after the counts
     */
    public void check(long rejected, long total, String rows, String detail) {
        if (total > 0 && rejected > maxFraction * total) {
            throw new TooManyRejectsException(String.format(Locale.ROOT,
                    "%d of %d %s (%.4f) were rejected, more than input_config.rejects.max_fraction %s; %s",
                    rejected, total, rows, (double) rejected / total, maxFraction, detail));
        }
    }
}
