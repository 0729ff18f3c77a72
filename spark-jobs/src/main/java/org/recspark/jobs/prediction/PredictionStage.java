package org.recspark.jobs.prediction;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.features.FeatureValueException;
import org.recspark.features.RawRecord;
import org.recspark.jobs.samples.BadFeatureValueException;
import org.recspark.jobs.samples.JoinedRowFields;
import org.recspark.jobs.storage.ShippedStorage;
import org.recspark.predictor.Predictor;
import org.recspark.storage.Locations;

/**
 * Scores joined sample rows with the online {@link Predictor}, one request (1 user x N items) per
 * call, so batch scores are by construction the scores a serving predictor gives. Rows are
 * clustered by request (request id when configured, else user and time) and sorted within
 * partitions, so each request's items arrive together. Each executor loads the bundle once.
 */
public final class PredictionStage {
    private PredictionStage() {
    }

    /** The score column of a task: {@code score} for a single-task model, else {@code score_<task>}. */
    public static String scoreColumn(List<String> tasks, String task) {
        return tasks.size() == 1 ? "score" : "score_" + task;
    }

    /**
     * @param keep      columns copied to the output before the scores (keys, labels, dt)
     * @param requestBy the columns whose values identify a request; none: each row is scored alone
     */
    public static Dataset<Row> apply(Dataset<Row> joined, String bundle, List<String> tasks, List<String> keep, List<String> requestBy) {
        StructType out = new StructType();
        for (String name : keep) {
            out = out.add(joined.schema().apply(name));
        }
        for (String task : tasks) {
            out = out.add(scoreColumn(tasks, task), DataTypes.FloatType, false);
        }
        Column[] by = requestBy.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Dataset<Row> clustered = by.length == 0 ? joined : joined.repartition(by).sortWithinPartitions(by);
        return clustered.mapPartitions(new Score(Locations.uri(Locations.of(bundle)), ShippedStorage.fromDriver(), clustered.schema(),
                keep, requestBy, tasks), Encoders.row(out));
    }

    private static final class Score implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final String bundle;
        private final ShippedStorage storage;
        private final StructType schema;
        private final List<String> keep;
        private final List<String> requestBy;
        private final List<String> tasks;

        Score(String bundle, ShippedStorage storage, StructType schema, List<String> keep, List<String> requestBy, List<String> tasks) {
            this.bundle = bundle;
            this.storage = storage;
            this.schema = schema;
            this.keep = List.copyOf(keep);
            this.requestBy = List.copyOf(requestBy);
            this.tasks = List.copyOf(tasks);
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            storage.install();
            Predictor predictor = Bundles.predictor(bundle);
            if (!predictor.tasks().equals(tasks)) {
                throw new IllegalStateException("bundle " + bundle + " has tasks " + predictor.tasks() + ", the driver planned " + tasks);
            }
            JoinedRowFields fields = new JoinedRowFields(schema);
            List<String> names = List.of(schema.fieldNames());
            int[] kept = keep.stream().mapToInt(names::indexOf).toArray();
            int[] key = requestBy.stream().mapToInt(names::indexOf).toArray();
            return new Iterator<>() {
                private final List<Row> request = new ArrayList<>();
                private final List<Row> scored = new ArrayList<>();
                private int next;
                private Row pending;

                @Override
                public boolean hasNext() {
                    if (next < scored.size()) {
                        return true;
                    }
                    scored.clear();
                    next = 0;
                    fill();
                    return !scored.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return scored.get(next++);
                }

                /** Reads the next request's rows and scores them as one 1 x N call. */
                private void fill() {
                    request.clear();
                    if (pending != null) {
                        request.add(pending);
                        pending = null;
                    }
                    while (input.hasNext()) {
                        Row row = input.next();
                        if (!request.isEmpty() && !sameRequest(request.get(0), row)) {
                            pending = row;
                            break;
                        }
                        request.add(row);
                    }
                    if (request.isEmpty()) {
                        return;
                    }
                    Row first = request.get(0);
                    List<RawRecord> items = new ArrayList<>(request.size());
                    for (Row row : request) {
                        items.add(fields.item(row));
                    }
                    Predictor.Scores scores;
                    try {
                        scores = predictor.predict(fields.user(first), items, fields.context(first));
                    } catch (FeatureValueException e) {
                        Map<String, Object> identity = new LinkedHashMap<>();
                        for (int k = 0; k < kept.length; k++) {
                            if (!keep.get(k).startsWith("_")) {
                                identity.put(keep.get(k), first.get(kept[k]));
                            }
                        }
                        throw new BadFeatureValueException(e, identity, request.size());
                    }
                    for (int r = 0; r < request.size(); r++) {
                        Object[] values = new Object[kept.length + tasks.size()];
                        for (int k = 0; k < kept.length; k++) {
                            values[k] = request.get(r).get(kept[k]);
                        }
                        for (int t = 0; t < tasks.size(); t++) {
                            values[kept.length + t] = scores.task(tasks.get(t))[r];
                        }
                        scored.add(RowFactory.create(values));
                    }
                }

                /** Without request-side inputs (nothing keys a request) every row is a request of its own. */
                private boolean sameRequest(Row a, Row b) {
                    if (key.length == 0) {
                        return false;
                    }
                    for (int i : key) {
                        if (!Objects.equals(a.get(i), b.get(i))) {
                            return false;
                        }
                    }
                    return true;
                }
            };
        }
    }
}
