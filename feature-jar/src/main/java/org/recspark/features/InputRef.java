package org.recspark.features;

import java.util.Locale;

/** A feature input "side.field", e.g. {@code item.category}. */
record InputRef(Side side, String field) {

    static InputRef parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw new IllegalArgumentException("expected <user|item|context>.<field>, got '" + text + "'");
        }
        Side side = Side.valueOf(text.substring(0, dot).toUpperCase(Locale.ROOT));
        return new InputRef(side, text.substring(dot + 1));
    }

    Object read(RawRecord user, RawRecord item, RawRecord context) {
        RawRecord record = switch (side) {
            case USER -> user;
            case ITEM -> item;
            case CONTEXT -> context;
        };
        return record.get(field);
    }

    @Override
    public String toString() {
        return side.prefix() + "." + field;
    }
}
