package org.recspark.serving;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.recspark.serving.proto.ScoreRequest;
import org.recspark.serving.proto.ScoreResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC method {@code recspark.serving.Scoring/Score} on the same messages and the same
 * {@link ScoringQueue} as {@code POST /v1/score}. Declared here rather than generated: gRPC's protoc
 * plugin is not on Maven Central for this build, and one unary method needs only its descriptor.
 * A refusal is a status with the field in its description: INVALID_ARGUMENT, NOT_FOUND (unknown
 * item), UNAVAILABLE (overloaded, not ready), DEADLINE_EXCEEDED.
 */
public final class GrpcEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcEndpoint.class);
    public static final String SERVICE = "recspark.serving.Scoring";
    public static final MethodDescriptor<ScoreRequest, ScoreResponse> SCORE = MethodDescriptor.<ScoreRequest, ScoreResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Score"))
            .setRequestMarshaller(ProtoUtils.marshaller(ScoreRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(ScoreResponse.getDefaultInstance()))
            .build();

    private final ScoringQueue queue;
    private final InFlightRequests inFlight;
    private final ServingMetrics metrics;
    private final Duration deadline;
    private Server server;

    GrpcEndpoint(ScoringQueue queue, InFlightRequests inFlight, ServingMetrics metrics, Duration deadline) {
        this.queue = queue;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.deadline = deadline;
    }

    /** Binds and returns the port. */
    public int start(String host, int port, int maxMessageBytes) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(SCORE, ServerCalls.asyncUnaryCall(this::score)).build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).maxInboundMessageSize(maxMessageBytes)
                .addService(service).build().start();
        LOG.info("gRPC on {}:{} ({}/Score)", host, server.getPort(), SERVICE);
        return server.getPort();
    }

    private void score(ScoreRequest request, StreamObserver<ScoreResponse> response) {
        long arrived = System.nanoTime();
        boolean taken = inFlight.enter();
        metrics.request();
        if (!taken) {
            fail(response, new RequestException(RequestError.SHUTTING_DOWN, "", "the server is shutting down"));
            return;
        }
        Duration timeout = deadline;
        if (request.getDeadlineMs() > 0 && request.getDeadlineMs() < timeout.toMillis()) {
            timeout = Duration.ofMillis(request.getDeadlineMs());
        }
        Deadline callDeadline = Context.current().getDeadline();
        if (callDeadline != null) {
            long remaining = callDeadline.timeRemaining(TimeUnit.MILLISECONDS);
            timeout = Duration.ofMillis(Math.max(1, Math.min(timeout.toMillis(), remaining)));
        }
        Duration used = timeout;
        try {
            queue.submit(request, arrived, used).whenComplete((scores, failure) -> {
                try {
                    if (failure == null) {
                        response.onNext(scores);
                        response.onCompleted();
                    } else {
                        fail(response, HttpEndpoint.asRequestException(failure, used));
                    }
                } finally {
                    inFlight.exit();
                }
            });
        } catch (RequestException e) {
            fail(response, e);
            inFlight.exit();
        }
    }

    private void fail(StreamObserver<ScoreResponse> response, RequestException e) {
        metrics.error(e.error());
        response.onError(Status.fromCode(e.error().grpcCode()).withDescription(e.getMessage()).asRuntimeException());
    }

    /** Stops taking calls; calls in flight finish. */
    public void stopAccepting() {
        if (server != null) {
            server.shutdown();
        }
    }

    /** Stops, giving calls in flight 5 s to finish. */
    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
