package org.recspark.serving;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.recspark.serving.proto.ErrorResponse;
import org.recspark.serving.proto.ScoreRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 endpoints on Netty (pipelined requests are answered in order, {@link ResponseOrder}): {@code POST /v1/score} (the proto3 JSON mapping of
 * serving.proto), {@code GET /health/live}, {@code GET /health/ready} and {@code GET /metrics}. The
 * event loop only parses and answers; scoring runs on the {@link ScoringQueue}. Every refusal is a
 * JSON {@link ErrorResponse} naming the field at fault.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private final ScoringQueue queue;
    private final InFlightRequests inFlight;
    private final ServingMetrics metrics;
    private final ModelUpdater models;
    private final BooleanSupplier ready;
    private final int maxBodyBytes;
    private final Duration deadline;
    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup workers = new NioEventLoopGroup(2);
    private Channel channel;

    HttpEndpoint(ScoringQueue queue, InFlightRequests inFlight, ServingMetrics metrics, ModelUpdater models, BooleanSupplier ready,
                 int maxBodyBytes, Duration deadline) {
        this.queue = queue;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.models = models;
        this.ready = ready;
        this.maxBodyBytes = maxBodyBytes;
        this.deadline = deadline;
    }

    /** Binds and returns the port. */
    public int start(String host, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new BodyLimit(maxBodyBytes), new Router());
                    }
                });
        channel = bootstrap.bind(host, port).sync().channel();
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("HTTP on {}:{} (POST /v1/score, GET /health/live, /health/ready, /metrics)", host, bound);
        return bound;
    }

    /** Stops accepting connections; open connections are served until {@link #close}. */
    public void stopAccepting() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        stopAccepting();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The aggregator, answering a body over the limit with a JSON 413 naming the limit. */
    private final class BodyLimit extends HttpObjectAggregator {
        private static final long OVERSIZED_BODY_GRACE_SECONDS = 2;

        BodyLimit(int maxBodyBytes) {
            super(maxBodyBytes);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            metrics.request();
            RequestException e = new RequestException(RequestError.BODY_TOO_LARGE, "",
                    "the request body is over the server's limit of " + maxBodyBytes + " bytes (--max-body-bytes)");
            ctx.writeAndFlush(errorResponse(e, false)).addListener(written -> lingerThenClose(ctx));
        }

        /**
         * Closing at once would leave the client's unsent body unread, and the kernel answers unread
         * data with a reset that can discard the 413 before the client reads it. So the answer is
         * followed by a half-close (the client sees the end of the stream), the rest of the body is
         * read and dropped (by the aggregator) until the client stops, and the connection closes
         * after a grace period at the latest.
         */
        private void lingerThenClose(ChannelHandlerContext ctx) {
            if (ctx.channel() instanceof SocketChannel socket) {
                socket.shutdownOutput();
            }
            ctx.executor().schedule(() -> ctx.close(), OVERSIZED_BODY_GRACE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private ResponseOrder order;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            long arrived = System.nanoTime();
            if (order == null) {
                order = new ResponseOrder(ctx);
            }
            Reply reply = new Reply(order, order.arrived());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            switch (path) {
                case "/v1/score" -> {
                    if (!request.method().equals(HttpMethod.POST)) {
                        metrics.request();
                        writeError(reply, new RequestException(RequestError.METHOD_NOT_ALLOWED, "", path + " takes POST"), keepAlive);
                        return;
                    }
                    score(reply, request, arrived, keepAlive);
                }
                case "/health/live" -> get(reply, request, keepAlive, HttpResponseStatus.OK, "live\n");
                case "/health/ready" -> {
                    boolean isReady = ready.getAsBoolean();
                    get(reply, request, keepAlive, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            isReady ? "ready " + models.current().version() + "\n" : "not ready\n");
                }
                case "/metrics" -> get(reply, request, keepAlive, HttpResponseStatus.OK, metrics.render(models::current));
                default -> writeError(reply, new RequestException(RequestError.NOT_FOUND, "", "no endpoint " + path
                        + "; there are POST /v1/score, GET /health/live, /health/ready and /metrics"), keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Where the answer to one request goes: its connection's {@link ResponseOrder} and its number there. */
    private record Reply(ResponseOrder order, long sequence) {}

    private void get(Reply reply, FullHttpRequest request, boolean keepAlive, HttpResponseStatus status, String body) {
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            writeError(reply, new RequestException(RequestError.METHOD_NOT_ALLOWED, "", request.uri() + " takes GET"), keepAlive);
            return;
        }
        write(reply, status, "text/plain; version=0.0.4; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), keepAlive);
    }

    private void score(Reply reply, FullHttpRequest request, long arrived, boolean keepAlive) {
        boolean taken = inFlight.enter();
        // Counted once taken (or refused), so a request counted before shutdown began is one the drain waits for.
        metrics.request();
        if (!taken) {
            writeError(reply, new RequestException(RequestError.SHUTTING_DOWN, "", "the server is shutting down"), false);
            return;
        }
        try {
            score(reply, request, arrived, keepAlive, () -> inFlight.exit());
        } catch (RuntimeException e) {
            inFlight.exit();
            throw e;
        }
    }

    /** Scores and answers; {@code answered} runs once the response is written. */
    private void score(Reply reply, FullHttpRequest request, long arrived, boolean keepAlive, Runnable answered) {
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            writeError(reply, new RequestException(RequestError.UNSUPPORTED_MEDIA_TYPE, "", "Content-Type " + contentType
                    + "; the body is JSON (application/json)"), keepAlive);
            answered.run();
            return;
        }
        ScoreRequest parsed;
        try {
            parsed = parse(request.content());
        } catch (RequestException e) {
            writeError(reply, e, keepAlive);
            answered.run();
            return;
        }
        Duration timeout = parsed.getDeadlineMs() > 0 && parsed.getDeadlineMs() < deadline.toMillis()
                ? Duration.ofMillis(parsed.getDeadlineMs()) : deadline;
        try {
            queue.submit(parsed, arrived, timeout).whenComplete((response, failure) -> {
                try {
                    if (failure == null) {
                        write(reply, HttpResponseStatus.OK, "application/json", ScoreResponseJson.bytes(response), keepAlive);
                    } else {
                        writeError(reply, asRequestException(failure, timeout), keepAlive);
                    }
                } finally {
                    answered.run();
                }
            });
        } catch (RequestException e) {
            writeError(reply, e, keepAlive);
            answered.run();
        }
    }

    static ScoreRequest parse(ByteBuf body) {
        if (body.readableBytes() == 0) {
            throw new RequestException(RequestError.MALFORMED_REQUEST, "", "the body is empty; expected a JSON ScoreRequest");
        }
        String json = body.toString(StandardCharsets.UTF_8);
        ScoreRequest.Builder builder = ScoreRequest.newBuilder();
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw JsonErrors.of(e, json);
        }
        return builder.build();
    }

    static RequestException asRequestException(Throwable failure, Duration timeout) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RequestException e) {
            return e;
        }
        if (cause instanceof TimeoutException) {
            return new RequestException(RequestError.DEADLINE_EXCEEDED, "", "no response within the deadline of " + timeout.toMillis()
                    + " ms");
        }
        LOG.error("Scoring failed", cause);
        return new RequestException(RequestError.INTERNAL, "", "scoring failed: " + cause);
    }

    private void writeError(Reply reply, RequestException e, boolean keepAlive) {
        reply.order().answer(reply.sequence(), errorResponse(e, keepAlive), keepAlive);
    }

    private FullHttpResponse errorResponse(RequestException e, boolean keepAlive) {
        metrics.error(e.error());
        ErrorResponse body = ErrorResponse.newBuilder().setError(e.error().label()).setField(e.field()).setMessage(e.reason()).build();
        byte[] bytes;
        try {
            bytes = PRINTER.print(body).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException(impossible);
        }
        return response(HttpResponseStatus.valueOf(e.error().httpStatus()), "application/json", bytes, keepAlive);
    }

    private static void write(Reply reply, HttpResponseStatus status, String contentType, byte[] body, boolean keepAlive) {
        reply.order().answer(reply.sequence(), response(status, contentType, body, keepAlive), keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return response;
    }
}
