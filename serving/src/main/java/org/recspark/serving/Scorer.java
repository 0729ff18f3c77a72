package org.recspark.serving;

import java.util.ArrayList;
import java.util.List;
import org.recspark.features.FeatureValueException;
import org.recspark.features.RawRecord;
import org.recspark.predictor.Predictor;
import org.recspark.serving.proto.ItemRef;
import org.recspark.serving.proto.ScoreRequest;
import org.recspark.serving.proto.ScoreResponse;
import org.recspark.serving.proto.TaskScores;
import org.recspark.serving.proto.Timing;

/**
 * Scores one request with the model served when it starts: checks the request (every refusal
 * names its field), takes cached items by id and full records as given, and calls
 * {@link Predictor#predict}, the only scoring code, so a served score is the predictor's.
 * Thread-safe.
 */
public final class Scorer {
    private final ModelUpdater models;
    private final ServingMetrics metrics;
    private final int maxItems;

    public Scorer(ModelUpdater models, ServingMetrics metrics, int maxItems) {
        this.models = models;
        this.metrics = metrics;
        this.maxItems = maxItems;
    }

    /**
     * @param arrivedNanos when the request arrived ({@link System#nanoTime})
     * @param startedNanos when a scoring thread took it
     * @throws RequestException for a request the server refuses
     */
    public ScoreResponse score(ScoreRequest request, long arrivedNanos, long startedNanos) {
        ServedModel model = models.current();
        if (model == null) {
            throw new RequestException(RequestError.NOT_READY, "", "no model is loaded yet");
        }
        Predictor predictor = model.predictor();
        int n = request.getItemsCount();
        if (n == 0) {
            throw new RequestException(RequestError.MISSING_FIELD, "items", "at least one item is required");
        }
        if (n > maxItems) {
            throw new RequestException(RequestError.TOO_MANY_ITEMS, "items", n + " items; the server scores at most " + maxItems
                    + " per request (--max-items)");
        }
        List<String> tasks = tasks(request, predictor);
        List<RawRecord> items = new ArrayList<>(n);
        int fromCache = 0;
        for (int i = 0; i < n; i++) {
            ItemRef ref = request.getItems(i);
            switch (ref.getRefCase()) {
                case ID -> {
                    items.add(cached(model.items(), ref.getId(), i));
                    fromCache++;
                }
                case RECORD -> {
                    model.fields().checkItem(ref.getRecord(), i);
                    items.add(StructRecords.record(ref.getRecord()));
                }
                case REF_NOT_SET -> throw new RequestException(RequestError.MISSING_FIELD, "items[" + i + "]",
                        "an item needs its \"id\" (from the item cache) or its \"record\" (its fields)");
            }
        }
        model.fields().checkUser(request.getUser());
        model.fields().checkContext(request.getContext());
        RawRecord user = user(model.users(), StructRecords.record(request.getUser()));
        Predictor.Scores scores;
        try {
            scores = predictor.predict(user, items, StructRecords.record(request.getContext()));
        } catch (FeatureValueException e) {
            throw new RequestException(RequestError.BAD_VALUE, "", e.getMessage());
        }
        long done = System.nanoTime();
        ScoreResponse.Builder response = ScoreResponse.newBuilder().setRequestId(request.getRequestId()).setModelVersion(model.version());
        for (String task : tasks) {
            float[] values = scores.task(task);
            TaskScores.Builder t = TaskScores.newBuilder().setTask(task);
            for (float v : values) {
                t.addScores(v);
            }
            response.addScores(t);
        }
        response.setTiming(Timing.newBuilder().setQueueMs((startedNanos - arrivedNanos) / 1e6).setPredictMs((done - startedNanos) / 1e6)
                .setTotalMs((done - arrivedNanos) / 1e6));
        metrics.scored(done - arrivedNanos, n, fromCache);
        return response.build();
    }

    private static List<String> tasks(ScoreRequest request, Predictor predictor) {
        if (request.getTasksCount() == 0) {
            return predictor.tasks();
        }
        for (int i = 0; i < request.getTasksCount(); i++) {
            if (!predictor.tasks().contains(request.getTasks(i))) {
                throw new RequestException(RequestError.UNKNOWN_TASK, "tasks[" + i + "]", "the model has no task '" + request.getTasks(i)
                        + "'; its tasks are " + predictor.tasks());
            }
        }
        return request.getTasksList();
    }

    /**
     * The request's user, completed from the users table when it has the request's user id: a field
     * the request gives wins over the stored one. An unknown id is a new user, scored with the
     * request's fields alone (and counted).
     */
    private RawRecord user(UserTable users, RawRecord fromRequest) {
        if (!users.loaded()) {
            return fromRequest;
        }
        String id = ItemIds.canonical(fromRequest.get(users.idField()));
        if (id == null) {
            return fromRequest;
        }
        RawRecord stored = users.get(id);
        metrics.userLookup(stored != null);
        if (stored == null) {
            return fromRequest;
        }
        return field -> {
            Object given = fromRequest.get(field);
            return given != null ? given : stored.get(field);
        };
    }

    private static RawRecord cached(ItemCatalog catalog, String id, int index) {
        String field = "items[" + index + "].id";
        if (id.isEmpty()) {
            throw new RequestException(RequestError.MISSING_FIELD, field, "the item id is empty");
        }
        RawRecord item = catalog.get(id);
        if (item == null) {
            throw new RequestException(RequestError.UNKNOWN_ITEM, field, catalog.source().isEmpty()
                    ? "the server has no item cache (started without --items): send the item as a \"record\""
                    : "no item '" + id + "' in the item cache (" + catalog.size() + " items from " + catalog.source() + ")");
        }
        return item;
    }
}
