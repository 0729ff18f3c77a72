package org.recspark.serving;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.recspark.config.proto.InputConfig;
import org.recspark.features.RawRecord;
import org.recspark.predictor.Predictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the served model and item cache current without blocking requests: on a background thread
 * it polls the {@link BundleSource} and the item snapshot; a new bundle is loaded, verified (the
 * bundle's checksums, then finite scores on warm-up) and warmed with its own item catalog before it
 * is swapped in atomically; a new snapshot is precomputed and swapped in the same way. Requests in
 * flight finish on the model they started with. A bundle or snapshot that fails is logged and
 * counted, and the old one keeps serving.
 */
public final class ModelUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdater.class);

    private final BundleSource bundles;
    private final Optional<String> itemTable;
    private final Optional<String> userTable;
    private final int warmupRequests;
    private final ServingMetrics metrics;
    private final Clock clock;
    private final AtomicReference<ServedModel> served = new AtomicReference<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "recspark-serve-updates");
        t.setDaemon(true);
        return t;
    });
    /** The last bundle refused (location and manifest checksum), so a bad bundle is logged once, not at every poll. */
    private volatile String refused = "";
    private volatile String failedItemStamp = "";
    private volatile String failedUserStamp = "";

    /**
     * @param itemTable the item snapshot's location, or empty to serve items given as full records only
     * @param userTable the users snapshot's location, or empty to take the user's fields from requests only
     */
    public ModelUpdater(BundleSource bundles, Optional<String> itemTable, Optional<String> userTable, int warmupRequests,
                        ServingMetrics metrics, Clock clock) {
        this.bundles = bundles;
        this.itemTable = itemTable;
        this.userTable = userTable;
        this.warmupRequests = warmupRequests;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Loads the first model; a failure here stops the server from starting. */
    public ServedModel loadInitial() throws IOException {
        ServedModel model = load(bundles.current());
        served.set(model);
        return model;
    }

    /** Starts polling for new bundles and item snapshots. */
    public void watch(Duration interval) {
        long ms = interval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The model to score the next request with; null before {@link #loadInitial}. */
    public ServedModel current() {
        return served.get();
    }

    /** One check for a new bundle, then for a new item snapshot. Never throws. */
    void poll() {
        ServedModel now = served.get();
        BundleSource.Current bundle;
        try {
            bundle = bundles.current();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read the bundle location {}: {}; still serving {}", bundles.location(), e.getMessage(), now.version());
            return;
        }
        if (!bundle.stamp().equals(now.stamp()) || !bundle.location().equals(now.bundle())) {
            if (!identity(bundle).equals(refused)) {
                swapModel(bundle, now);
            }
            return;
        }
        if (itemTable.isPresent()) {
            refreshItems(now);
        }
        if (userTable.isPresent()) {
            refreshUsers(served.get());
        }
    }

    private void swapModel(BundleSource.Current bundle, ServedModel old) {
        long started = System.nanoTime();
        try {
            ServedModel next = load(bundle);
            served.set(next);
            metrics.modelSwapped();
            LOG.info("Now serving {} from {} (was {}); loaded, verified and warmed in {} ms", next.version(), bundle.location(),
                    old.version(), (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            refused = identity(bundle);
            metrics.modelRefused();
            LOG.error("Refused the bundle {} (manifest {}): {}; still serving {}", bundle.location(), bundle.stamp(), e.getMessage(),
                    old.version(), e);
        }
    }

    private void refreshItems(ServedModel now) {
        String location = itemTable.get();
        try {
            TableSnapshot source = TableSnapshot.items(location, now.predictor().config().getInputConfig());
            String stamp = source.stamp();
            if (stamp.equals(now.items().stamp()) || stamp.equals(failedItemStamp)) {
                return;
            }
            long started = System.nanoTime();
            ItemCatalog catalog = catalog(now.predictor(), source, stamp);
            // Only if the model did not change meanwhile: a new model comes with its own catalog.
            if (served.compareAndSet(now, now.withItems(catalog))) {
                metrics.itemsReloaded();
                LOG.info("Item cache reloaded from {}: {} items ({} MB precomputed) in {} ms", location, catalog.size(),
                        catalog.precomputedBytes() >> 20, (System.nanoTime() - started) / 1_000_000);
            }
        } catch (IOException | RuntimeException e) {
            metrics.itemReloadFailed();
            try {
                failedItemStamp = TableSnapshot.items(location, now.predictor().config().getInputConfig()).stamp();
            } catch (IOException | RuntimeException again) {
                failedItemStamp = "";
            }
            LOG.error("Cannot reload the item snapshot {}: {}; the cache keeps its {} items", location, e.getMessage(),
                    now.items().size(), e);
        }
    }

    private void refreshUsers(ServedModel now) {
        String location = userTable.get();
        TableSnapshot source = TableSnapshot.users(location, now.predictor().config().getInputConfig());
        String stamp = "";
        try {
            stamp = source.stamp();
            if (stamp.equals(now.users().stamp()) || stamp.equals(failedUserStamp)) {
                return;
            }
            UserTable users = users(now.predictor(), source, stamp);
            if (served.compareAndSet(now, now.withUsers(users))) {
                metrics.usersReloaded();
            }
        } catch (IOException | RuntimeException e) {
            failedUserStamp = stamp;
            metrics.userReloadFailed();
            LOG.error("Cannot reload the users snapshot {}: {}; the table keeps its {} users", location, e.getMessage(),
                    now.users().size(), e);
        }
    }

    private static String identity(BundleSource.Current bundle) {
        return bundle.location() + "#" + bundle.stamp();
    }

    private ServedModel load(BundleSource.Current bundle) throws IOException {
        Predictor predictor = Predictor.load(bundle.path());
        InputConfig input = predictor.config().getInputConfig();
        ItemCatalog catalog = ItemCatalog.EMPTY;
        if (itemTable.isPresent()) {
            TableSnapshot source = TableSnapshot.items(itemTable.get(), input);
            catalog = catalog(predictor, source, source.stamp());
        }
        UserTable users = UserTable.EMPTY;
        if (userTable.isPresent()) {
            TableSnapshot source = TableSnapshot.users(userTable.get(), input);
            users = users(predictor, source, source.stamp());
        }
        Warmup.run(predictor, catalog, warmupRequests);
        return new ServedModel(predictor, RequestFields.of(predictor), catalog, users, bundle.location(), bundle.stamp(), clock.instant());
    }

    private static UserTable users(Predictor predictor, TableSnapshot source, String stamp) throws IOException {
        UserTable users = new UserTable(source.read(), source.idField(), source.location(), stamp);
        LOG.info("Users table: {} users from {}", users.size(), source.location());
        return users;
    }

    private static ItemCatalog catalog(Predictor predictor, TableSnapshot source, String stamp) throws IOException {
        Map<String, RawRecord> rows = source.read();
        ItemCatalog catalog = ItemCatalog.build(rows, predictor.featureGenerator(), source.location(), stamp);
        LOG.info("Item cache: {} items from {}, {} bytes of precomputed features ({} per item)", catalog.size(), source.location(),
                catalog.precomputedBytes(), catalog.size() == 0 ? 0 : catalog.precomputedBytes() / catalog.size());
        return catalog;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
