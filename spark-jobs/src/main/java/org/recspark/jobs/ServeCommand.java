package org.recspark.jobs;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.recspark.serving.ScoringServer;
import org.recspark.serving.ServeSettings;

/**
 * {@code recspark serve --bundle DIR|URI [--items PATH] ...}: the online scoring service
 * ({@link ScoringServer}) until the process is stopped; SIGTERM drains the requests in flight first.
 * No Spark: the service is the predictor behind HTTP and gRPC.
 */
final class ServeCommand extends OptionCommand {
    private static final Set<String> OPTIONS = Set.of("bundle", "items", "users", "host", "port", "grpc-port", "max-items", "max-body-bytes",
            "threads", "queue", "deadline-ms", "poll-ms", "drain-ms", "warmup");

    ServeCommand(PrintStream out) {
        super("serve", "online scoring service: POST /v1/score (JSON) and gRPC, item cache, hot model updates (no Spark)", out,
                OPTIONS, Set.of());
    }

    @Override
    String usage() {
        ServeSettings d = ServeSettings.defaults("-", java.util.Optional.empty(), java.util.Optional.empty());
        return "usage: recspark serve --bundle DIR|URI [--items PATH|URI] [--users PATH|URI] [--host ADDRESS] [--port P]\n"
                + "                     [--grpc-port P]"
                + " [--max-items N] [--max-body-bytes N] [--threads N] [--queue N] [--deadline-ms MS]\n"
                + "                     [--poll-ms MS] [--drain-ms MS] [--warmup N]\n"
                + "  DIR is an export bundle, or a daily work directory whose current.json names the bundle to serve; it is\n"
                + "  watched, and a new bundle is loaded, verified and warmed before it replaces the old one.\n"
                + "  --items: the item table snapshot (CSV or Parquet, as the bundle's input_config.items) whose items requests\n"
                + "  may name by id; reloaded when its files change. --users: the users table snapshot (as input_config.users)\n"
                + "  whose stored fields complete a request's user by id (the request's own fields win). Defaults: --host " + d.host() + " --port " + d.httpPort()
                + " --grpc-port " + d.grpcPort() + " (-1: no gRPC)\n"
                + "  --max-items " + d.maxItems() + " --max-body-bytes " + d.maxBodyBytes() + " --threads (cores) --queue "
                + d.queueCapacity() + " --deadline-ms " + d.deadline().toMillis() + " --poll-ms " + d.pollInterval().toMillis()
                + " --drain-ms " + d.drainTimeout().toMillis() + " --warmup " + d.warmupRequests();
    }

    private static int intOption(CommandLine cl, String name, int defaultValue) {
        long value = cl.longValue(name, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new UsageException("option --" + name + " is out of range: " + value);
        }
        return (int) value;
    }

    @Override
    int run(CommandLine cl) throws Exception {
        ServeSettings d = ServeSettings.defaults(cl.required("bundle"), cl.optional("items"), cl.optional("users"));
        ServeSettings settings;
        try {
            settings = new ServeSettings(d.bundle(), d.items(), d.users(), cl.optional("host").orElse(d.host()),
                    intOption(cl, "port", d.httpPort()), intOption(cl, "grpc-port", d.grpcPort()),
                    intOption(cl, "max-items", d.maxItems()), intOption(cl, "max-body-bytes", d.maxBodyBytes()),
                    intOption(cl, "threads", d.threads()), intOption(cl, "queue", d.queueCapacity()),
                    Duration.ofMillis(cl.longValue("deadline-ms", d.deadline().toMillis())),
                    Duration.ofMillis(cl.longValue("poll-ms", d.pollInterval().toMillis())),
                    Duration.ofMillis(cl.longValue("drain-ms", d.drainTimeout().toMillis())),
                    intOption(cl, "warmup", d.warmupRequests()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ScoringServer server = ScoringServer.start(settings, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "recspark-serve-shutdown"));
        out.printf("serve: %s ready on http://%s:%d%s with %d cached items%n", server.model().version(), settings.host(),
                server.httpPort(), server.grpcPort() < 0 ? "" : " and gRPC " + settings.host() + ":" + server.grpcPort(),
                server.model().items().size());
        stopped.await();
        return 0;
    }
}
