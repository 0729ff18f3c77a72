package org.recspark.jobs.daily;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Optional;
import org.recspark.storage.Locations;

/**
 * Where one day of a daily run stands, as its {@code state.json} records it.
 *
 * @param warmStartFrom the day whose model this day started from, empty for a cold start
 * @param bundle        the day's exported model, once trained
 * @param reason        why the day failed or was refused, empty otherwise
 */
public record DayState(String date, Status status, Optional<String> warmStartFrom, Optional<Path> bundle, Optional<String> reason) {

    public enum Status {
        /** Started and not finished: a crash, or a run in progress. Rerunning the day starts it over. */
        RUNNING,
        /** An error stopped it (bad input, I/O); rerunning the day starts it over. */
        FAILED,
        /** A guard refused the day's data or model; its model was not promoted. */
        REFUSED,
        /** Every guard passed and the model was promoted (unless a later day's already was). */
        GOOD
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("date", date);
        o.addProperty("status", status.name());
        warmStartFrom.ifPresent(d -> o.addProperty("warm_start_from", d));
        bundle.ifPresent(b -> o.addProperty("bundle", Locations.uri(b)));
        reason.ifPresent(r -> o.addProperty("reason", r));
        return o;
    }

    static DayState fromJson(JsonObject o, Path file) {
        try {
            return new DayState(o.get("date").getAsString(), Status.valueOf(o.get("status").getAsString()),
                    optional(o, "warm_start_from"), optional(o, "bundle").map(Locations::of), optional(o, "reason"));
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is not a day state (date, status, ...): " + e.getMessage(), e);
        }
    }

    private static Optional<String> optional(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? Optional.empty() : Optional.of(e.getAsString());
    }
}
