package org.recspark.trainer.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.storage.AtomicFile;

/**
 * The run a run directory belongs to, kept in {@value #FILE}: a random id created when a run
 * starts fresh (and kept when it resumes), when it started, and the {@link ConfigFingerprint} of
 * its config. Every checkpoint and export of the run records the id, so pruning, export retention
 * and warm starts only ever consider the run's own artifacts.
 */
public record RunRecord(String runId, long startedUnixMillis, ConfigFingerprint fingerprint) {
    public static final String FILE = "run.json";

    /** A new run of {@code fingerprint}'s config, with a new random id. */
    public static RunRecord fresh(ConfigFingerprint fingerprint) {
        return new RunRecord(UUID.randomUUID().toString(), System.currentTimeMillis(), fingerprint);
    }

    /** The record in {@code runDir}, empty when there is none; a record that does not parse is an error naming the file. */
    public static Optional<RunRecord> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, String> sections = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("config_fingerprint").entrySet()) {
                sections.put(e.getKey(), e.getValue().getAsString());
            }
            String runId = o.get("run_id").getAsString();
            if (runId.isEmpty()) {
                throw new IllegalStateException("run_id is empty");
            }
            return Optional.of(new RunRecord(runId, o.get("started_unix_millis").getAsLong(), ConfigFingerprint.fromSections(sections)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the run record " + file, e);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new CheckpointException("the run record " + file + " is damaged (expected a JSON object with run_id, "
                    + "started_unix_millis and config_fingerprint): " + e.getMessage()
                    + "; pass --overwrite to move the run directory's artifacts aside and start fresh");
        }
    }

    /** Writes this record to {@code runDir} atomically. */
    public void write(Path runDir) {
        JsonObject o = new JsonObject();
        o.addProperty("run_id", runId);
        o.addProperty("started_unix_millis", startedUnixMillis);
        JsonObject sections = new JsonObject();
        fingerprint.sections().forEach(sections::addProperty);
        o.add("config_fingerprint", sections);
        Path file = runDir.resolve(FILE);
        try {
            Files.createDirectories(runDir);
            AtomicFile.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run record " + file, e);
        }
    }
}
