package org.recspark.serving;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * The answers of one HTTP/1.1 connection in the order its requests came, as pipelining requires,
 * although the requests are scored concurrently: each request takes a sequence number on arrival,
 * and an answer ready early waits for the ones before it. {@link #answer} may be called from any
 * thread; the state is confined to the connection's event loop.
 */
final class ResponseOrder {
    private final ChannelHandlerContext ctx;
    private final Map<Long, Answer> ready = new HashMap<>();
    private long nextSequence;
    private long nextToWrite;
    private boolean closing;

    private record Answer(FullHttpResponse response, boolean keepAlive) {}

    ResponseOrder(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The number of the request that just arrived; called on the event loop. */
    long arrived() {
        return nextSequence++;
    }

    /** Writes the answer to request {@code sequence} once the answers before it are written; closes after one without keep-alive. */
    void answer(long sequence, FullHttpResponse response, boolean keepAlive) {
        if (ctx.executor().inEventLoop()) {
            write(sequence, response, keepAlive);
        } else {
            ctx.executor().execute(() -> write(sequence, response, keepAlive));
        }
    }

    private void write(long sequence, FullHttpResponse response, boolean keepAlive) {
        if (closing) {
            response.release();
            return;
        }
        ready.put(sequence, new Answer(response, keepAlive));
        Answer next;
        while ((next = ready.remove(nextToWrite)) != null) {
            nextToWrite++;
            if (next.keepAlive()) {
                ctx.writeAndFlush(next.response());
            } else {
                closing = true;
                ctx.writeAndFlush(next.response()).addListener(ChannelFutureListener.CLOSE);
                ready.values().forEach(a -> a.response().release());
                ready.clear();
                return;
            }
        }
    }
}
