package org.recspark.features;

import java.util.Map;
import java.util.Objects;

/** A {@link RawRecord} over a map from field name to value. The map is not copied: do not change it while in use. */
public record MapRecord(Map<String, ?> fields) implements RawRecord {

    public MapRecord {
        Objects.requireNonNull(fields, "fields");
    }

    @Override
    public Object get(String field) {
        return fields.get(field);
    }
}
