package org.recspark.jobs.samples;

import java.util.Map;
import org.recspark.features.FeatureValueException;

/**
 * A feature met a value it cannot use under feature_config.on_bad_value: FAIL, named with the input
 * rows it came from: the feature jar knows the feature and the value, the job knows the rows. Bad
 * data, not a fault of the job, so its message is the whole report.
 */
public final class BadFeatureValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param request the identifying columns of the request's first row, by name
     * @param rows how many rows the request has (the bad value is in one of them, or in their shared user or context fields)
     */
    public BadFeatureValueException(FeatureValueException cause, Map<String, Object> request, int rows) {
        super("a value of the request " + request + (rows > 1 ? " (" + rows + " rows)" : "") + " cannot be used: " + cause.getMessage()
                + "; feature_config.on_bad_value: FAIL stops at the first bad value (COUNT_AND_DEFAULT counts such values and uses the "
                + "feature's default)", cause);
    }
}
