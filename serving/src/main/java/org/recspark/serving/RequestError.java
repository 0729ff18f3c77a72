package org.recspark.serving;

/**
 * What went wrong with a request, as clients see it: the HTTP status, the gRPC status and the
 * {@code kind} label of {@code recspark_serve_errors_total}. Bad input is always a 4xx.
 */
public enum RequestError {
    MALFORMED_REQUEST(400, io.grpc.Status.Code.INVALID_ARGUMENT),
    MISSING_FIELD(400, io.grpc.Status.Code.INVALID_ARGUMENT),
    BAD_VALUE(400, io.grpc.Status.Code.INVALID_ARGUMENT),
    UNKNOWN_FIELD(400, io.grpc.Status.Code.INVALID_ARGUMENT),
    UNKNOWN_TASK(400, io.grpc.Status.Code.INVALID_ARGUMENT),
    UNKNOWN_ITEM(404, io.grpc.Status.Code.NOT_FOUND),
    NOT_FOUND(404, io.grpc.Status.Code.UNIMPLEMENTED),
    METHOD_NOT_ALLOWED(405, io.grpc.Status.Code.UNIMPLEMENTED),
    TOO_MANY_ITEMS(413, io.grpc.Status.Code.INVALID_ARGUMENT),
    BODY_TOO_LARGE(413, io.grpc.Status.Code.RESOURCE_EXHAUSTED),
    UNSUPPORTED_MEDIA_TYPE(415, io.grpc.Status.Code.INVALID_ARGUMENT),
    OVERLOADED(429, io.grpc.Status.Code.UNAVAILABLE),
    NOT_READY(503, io.grpc.Status.Code.UNAVAILABLE),
    SHUTTING_DOWN(503, io.grpc.Status.Code.UNAVAILABLE),
    DEADLINE_EXCEEDED(504, io.grpc.Status.Code.DEADLINE_EXCEEDED),
    INTERNAL(500, io.grpc.Status.Code.INTERNAL);

    private final int httpStatus;
    private final io.grpc.Status.Code grpcCode;

    RequestError(int httpStatus, io.grpc.Status.Code grpcCode) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public io.grpc.Status.Code grpcCode() {
        return grpcCode;
    }

    /** The metric label and the {@code error} of the JSON error body: lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
