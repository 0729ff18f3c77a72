package org.recspark.jobs.training;

import java.util.List;

/** A samples table that does not hold what the config's plan trains on, with every mismatch. */
public final class SamplesSchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> mismatches;

    public SamplesSchemaException(String location, List<String> mismatches) {
        super("the samples at " + location + " do not match the config (" + mismatches.size()
                + (mismatches.size() == 1 ? " problem" : " problems") + "; rebuild them with build-samples and this config):\n  "
                + String.join("\n  ", mismatches));
        this.mismatches = List.copyOf(mismatches);
    }

    public List<String> mismatches() {
        return mismatches;
    }
}
