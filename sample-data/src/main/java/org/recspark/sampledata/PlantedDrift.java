package org.recspark.sampledata;

import java.time.LocalDate;
import java.util.Arrays;

/**
 * A distribution shift planted on one day of a synthetic log, for testing drift guards: every
 * request of {@code day} comes from {@code device} instead of a device drawn uniformly. The device
 * is still drawn, so the days before are byte-identical to the log without the drift; from the day
 * on the events differ, since the changed clicks consume other random draws.
 */
public record PlantedDrift(LocalDate day, String device) {
    public PlantedDrift {
        if (day == null) {
            throw new IllegalArgumentException("the drift needs a day");
        }
        if (!Arrays.asList(SyntheticLogGenerator.DEVICES).contains(device)) {
            throw new IllegalArgumentException("the drift's device must be one of " + Arrays.toString(SyntheticLogGenerator.DEVICES)
                    + ", got '" + device + "'");
        }
    }

    int deviceIndex() {
        return Arrays.asList(SyntheticLogGenerator.DEVICES).indexOf(device);
    }
}
