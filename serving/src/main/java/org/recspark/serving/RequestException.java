package org.recspark.serving;

/**
 * A request the server refuses, with the request field at fault (a JSON path such as
 * {@code items[3].id}, or empty when the request as a whole is at fault) and why.
 */
public final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RequestError error;
    private final String field;

    public RequestException(RequestError error, String field, String message) {
        super(field.isEmpty() ? message : field + ": " + message);
        this.error = error;
        this.field = field;
    }

    public RequestError error() {
        return error;
    }

    public String field() {
        return field;
    }

    /** The message without the field. */
    public String reason() {
        String m = getMessage();
        return field.isEmpty() ? m : m.substring(field.length() + 2);
    }
}
