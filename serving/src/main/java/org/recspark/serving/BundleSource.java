package org.recspark.serving;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.Locations;

/**
 * Where the bundle to serve is: an export bundle directory, or a {@code daily} work directory whose
 * {@code current.json} names it. Read again at every poll, so a bundle replaced in place or a
 * {@code current.json} moved to another day is noticed.
 */
public final class BundleSource {
    static final String CURRENT = "current.json";

    private final String location;

    public BundleSource(String location) {
        this.location = location;
    }

    public String location() {
        return location;
    }

    /**
     * The bundle to serve now.
     *
     * @param location the bundle as a path or URI
     * @param stamp    its manifest's SHA-256 (which covers every file of the bundle)
     */
    public record Current(String location, Path path, String stamp) {}

    public Current current() throws IOException {
        Path dir = Locations.of(location);
        Path pointer = dir.resolve(CURRENT);
        String bundle = location;
        Path path = dir;
        if (Files.exists(pointer)) {
            bundle = pointedBundle(pointer);
            path = Locations.of(bundle);
        }
        Path checksum = path.resolve(ExportBundle.MANIFEST_CHECKSUM);
        if (!Files.exists(checksum)) {
            throw new IOException(bundle + " is not an export bundle (no " + ExportBundle.MANIFEST_CHECKSUM
                    + ") and " + location + " has no " + CURRENT + " naming one");
        }
        String stamp = Files.readString(checksum, StandardCharsets.UTF_8).trim().split("\\s+")[0];
        return new Current(bundle, path, stamp);
    }

    private static String pointedBundle(Path pointer) throws IOException {
        String text = Files.readString(pointer, StandardCharsets.UTF_8);
        try {
            JsonElement json = JsonParser.parseString(text);
            if (json.isJsonObject()) {
                JsonObject o = json.getAsJsonObject();
                if (o.has("bundle") && o.get("bundle").isJsonPrimitive()) {
                    return o.get("bundle").getAsString();
                }
            }
        } catch (JsonParseException e) {
            throw new IOException(Locations.uri(pointer) + " is not JSON: " + e.getMessage(), e);
        }
        throw new IOException(Locations.uri(pointer) + " names no bundle (expected {\"bundle\": \"<location>\", ...})");
    }
}
