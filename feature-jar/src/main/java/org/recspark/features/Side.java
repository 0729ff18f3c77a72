package org.recspark.features;

import java.util.Locale;

/** Which raw record an input field is read from. */
public enum Side {
    USER, ITEM, CONTEXT;

    String prefix() {
        return name().toLowerCase(Locale.ROOT);
    }
}
