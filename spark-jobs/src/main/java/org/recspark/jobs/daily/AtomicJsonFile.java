package org.recspark.jobs.daily;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.recspark.storage.AtomicFile;

/** A small JSON file replaced whole ({@link AtomicFile}): a reader sees the old content or the new, never a torn write. */
final class AtomicJsonFile {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private AtomicJsonFile() {}

    static void write(Path file, JsonObject content) {
        try {
            AtomicFile.writeString(file, GSON.toJson(content) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The file's object, or empty when there is no file; a file that is not a JSON object is an error naming it. */
    static Optional<JsonObject> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException(file + " is not a JSON object: " + e.getMessage(), e);
        }
    }
}
