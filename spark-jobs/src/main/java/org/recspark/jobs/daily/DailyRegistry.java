package org.recspark.jobs.daily;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.recspark.storage.Locations;
import org.recspark.storage.PathTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work directory of a daily run: the samples table shared by all days, one directory per day
 * ({@code days/<date>/}: {@code state.json}, {@code report.json}, the training run in {@code run/}),
 * and {@code current.json}, the pointer to the model to serve. Every file is replaced whole
 * ({@link AtomicJsonFile}); a day's files are only ever written by that day's run, and the pointer
 * only moves to a day whose state is already GOOD, so a failing day cannot touch an earlier model.
 * One daily run at a time per work directory: {@link DailyRun} holds its lock.
 */
public final class DailyRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DailyRegistry.class);
    static final String CURRENT = "current.json";

    private final Path workDir;

    public DailyRegistry(Path workDir) {
        this.workDir = workDir.toAbsolutePath().normalize();
    }

    public Path workDir() {
        return workDir;
    }

    public Path samples() {
        return workDir.resolve("samples");
    }

    public Path rejects() {
        return workDir.resolve("samples_rejects");
    }

    public Path dayDir(String date) {
        return workDir.resolve("days").resolve(date);
    }

    public Path runDir(String date) {
        return dayDir(date).resolve("run");
    }

    public Path report(String date) {
        return dayDir(date).resolve("report.json");
    }

    public Optional<DayState> state(String date) {
        Path file = dayDir(date).resolve("state.json");
        return AtomicJsonFile.read(file).map(o -> DayState.fromJson(o, file));
    }

    void write(DayState state) {
        AtomicJsonFile.write(dayDir(state.date()).resolve("state.json"), state.toJson());
    }

    /**
     * Removes what an earlier, unfinished attempt of the day left in its run directory. Refuses when
     * {@code current.json} serves a bundle in it: the served model is never deleted, whatever the
     * day's state says.
     */
    void removeEarlierAttempt(String date) {
        Path runDir = runDir(date);
        if (!Files.exists(runDir)) {
            return;
        }
        Optional<Path> served = servedBundle();
        if (served.isPresent() && served.get().startsWith(runDir)) {
            throw new IllegalStateException("not removing the earlier attempt " + runDir + ": " + workDir.resolve(CURRENT)
                    + " serves its bundle " + served.get() + " although day " + date + " is not GOOD; fix "
                    + dayDir(date).resolve("state.json") + " or point " + CURRENT + " at another day first");
        }
        try {
            PathTrees.deleteRecursively(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the earlier attempt " + runDir, e);
        }
    }

    /** The bundle {@code current.json} names, as written (its day's state need not agree). */
    private Optional<Path> servedBundle() {
        Path file = workDir.resolve(CURRENT);
        return AtomicJsonFile.read(file).map(o -> {
            if (!o.has("bundle")) {
                throw new IllegalStateException(file + " names no bundle: " + o);
            }
            return Locations.of(o.get("bundle").getAsString()).toAbsolutePath().normalize();
        });
    }

    /** The latest GOOD day before {@code date}: the model a run of that date starts from and is compared with. */
    public Optional<DayState> latestGoodBefore(String date) {
        Path days = workDir.resolve("days");
        if (!Files.isDirectory(days)) {
            return Optional.empty();
        }
        List<String> earlier;
        try (Stream<Path> s = Files.list(days)) {
            // ISO dates sort as strings
            earlier = s.map(p -> p.getFileName().toString()).filter(d -> d.compareTo(date) < 0)
                    .sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + days, e);
        }
        return earlier.stream().map(this::state).flatMap(Optional::stream).filter(s -> s.status() == DayState.Status.GOOD).findFirst();
    }

    /** The day whose model is served, or empty before the first GOOD day. */
    public Optional<DayState> current() {
        Path file = workDir.resolve(CURRENT);
        return AtomicJsonFile.read(file).map(o -> {
            String date = o.get("date").getAsString();
            return state(date).orElseThrow(() -> new IllegalStateException(file + " names day " + date + ", which has no state"));
        });
    }

    /**
     * Points {@code current.json} at a GOOD day, unless it already names a later day (a rerun of an
     * old day must not roll the served model back).
     */
    void promote(DayState day) {
        if (day.status() != DayState.Status.GOOD || day.bundle().isEmpty()) {
            throw new IllegalArgumentException("only a GOOD day with a bundle is promoted, got " + day);
        }
        Optional<DayState> current = current();
        if (current.isPresent() && current.get().date().compareTo(day.date()) > 0) {
            LOG.info("Day {} is GOOD; the current model stays the later day {}", day.date(), current.get().date());
            return;
        }
        JsonObject pointer = new JsonObject();
        pointer.addProperty("date", day.date());
        pointer.addProperty("bundle", Locations.uri(day.bundle().get()));
        AtomicJsonFile.write(workDir.resolve(CURRENT), pointer);
        LOG.info("Current model: day {} ({})", day.date(), day.bundle().get());
    }
}
