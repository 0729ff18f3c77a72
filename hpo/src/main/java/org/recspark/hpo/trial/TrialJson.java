package org.recspark.hpo.trial;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.hpo.stopping.LearningCurve;

/**
 * The JSON form of trial parameters, learning curves and outcomes, shared by the trial log and the
 * Spark runner (which ships curves to its tasks and outcomes back). Non-finite numbers are written
 * as null.
 */
public final class TrialJson {
    private TrialJson() {}

    public static JsonObject params(Map<String, String> params) {
        JsonObject o = new JsonObject();
        params.forEach(o::addProperty);
        return o;
    }

    public static Map<String, String> params(JsonObject o) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            out.put(e.getKey(), e.getValue().getAsString());
        }
        return out;
    }

    /** {@code [[step, examples, value], ...]}. */
    public static JsonArray curve(LearningCurve curve) {
        JsonArray a = new JsonArray();
        for (LearningCurve.Point p : curve.points()) {
            JsonArray point = new JsonArray();
            point.add(p.step());
            point.add(p.examples());
            point.add(number(p.value()));
            a.add(point);
        }
        return a;
    }

    public static LearningCurve curve(JsonArray a) {
        List<LearningCurve.Point> points = new ArrayList<>();
        for (JsonElement e : a) {
            JsonArray p = e.getAsJsonArray();
            points.add(new LearningCurve.Point(p.get(0).getAsLong(), p.get(1).getAsLong(), number(p.get(2))));
        }
        return new LearningCurve(points);
    }

    public static JsonArray curves(List<LearningCurve> curves) {
        JsonArray a = new JsonArray();
        curves.forEach(c -> a.add(curve(c)));
        return a;
    }

    public static List<LearningCurve> curves(JsonArray a) {
        List<LearningCurve> out = new ArrayList<>();
        a.forEach(e -> out.add(curve(e.getAsJsonArray())));
        return out;
    }

    /** The outcome's fields, added to {@code o}. */
    public static JsonObject outcome(TrialOutcome outcome, JsonObject o) {
        o.addProperty("status", outcome.status().name());
        o.add("objective", number(outcome.objective()));
        o.addProperty("steps", outcome.steps());
        o.addProperty("seconds", outcome.seconds());
        o.addProperty("stop_reason", outcome.stopReason());
        o.addProperty("error", outcome.error());
        o.addProperty("run_dir", outcome.runDir());
        o.add("curve", curve(outcome.curve()));
        return o;
    }

    public static TrialOutcome outcome(JsonObject o) {
        return new TrialOutcome(TrialStatus.valueOf(o.get("status").getAsString()), number(o.get("objective")),
                curve(o.getAsJsonArray("curve")), o.get("steps").getAsLong(), o.get("seconds").getAsDouble(), string(o, "stop_reason"),
                string(o, "error"), string(o, "run_dir"));
    }

    private static JsonElement number(double v) {
        return Double.isFinite(v) ? new com.google.gson.JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    private static double number(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
