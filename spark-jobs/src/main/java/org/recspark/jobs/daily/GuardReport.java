package org.recspark.jobs.daily;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import org.recspark.evaluator.drift.GuardCheck;

/**
 * What the guards of one day found, as {@code days/<date>/report.json}: every check with its
 * guard, feature, value and limit, the day compared with, and the outcome.
 *
 * @param referenceDay the day the data was compared with and whose model the new one was held
 *                     against (the latest GOOD day before), empty on a cold start
 * @param summary      one line: the outcome and, for a refused day, the failing guards
 */
public record GuardReport(String date, DayState.Status status, Optional<String> referenceDay, List<GuardCheck> checks, String summary) {

    public List<GuardCheck> failed() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("date", date);
        o.addProperty("status", status.name());
        referenceDay.ifPresent(d -> o.addProperty("reference_day", d));
        o.addProperty("summary", summary);
        JsonArray list = new JsonArray();
        for (GuardCheck c : checks) {
            JsonObject j = new JsonObject();
            j.addProperty("guard", c.guard());
            if (c.feature() != null) {
                j.addProperty("feature", c.feature());
            }
            j.addProperty("value", c.value());
            j.addProperty("limit", c.limit());
            j.addProperty("passed", c.passed());
            j.addProperty("detail", c.detail());
            list.add(j);
        }
        o.add("checks", list);
        return o;
    }
}
