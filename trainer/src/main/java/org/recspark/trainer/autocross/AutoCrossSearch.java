package org.recspark.trainer.autocross;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.recspark.evaluator.AucAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Greedy search for feature crosses as AutoCross does (Luo et al., KDD 2019): the model starts as a
 * logistic regression on the single fields; each round scores every candidate cross by the
 * validation AUC gain of adding it to the current model with that model held fixed (field-wise
 * LR), selects the best, adds it to the model (refitted), and widens the candidates with the
 * selected cross extended by one more field, up to {@code maxOrder}. The first round's candidates
 * are all pairs. A round scores at most {@code maxCandidates}: the new extensions first, then the
 * rest by their last gain (the beam). Stops after {@code top} crosses, or when no candidate gains
 * {@code minGain}. Candidates are scored in parallel; the result does not depend on the thread count.
 */
public final class AutoCrossSearch {
    private static final Logger LOG = LoggerFactory.getLogger(AutoCrossSearch.class);

    private final AutoCrossSettings settings;

    public AutoCrossSearch(AutoCrossSettings settings) {
        this.settings = settings;
    }

    public AutoCrossResult run(CrossSearchData data) {
        LOG.info("Cross search over {} fields {}: {} training and {} validation rows, {}", data.fields().size(), data.fields(),
                data.trainRows(), data.validationRows(), settings);
        FieldWiseLogisticRegression model = FieldWiseLogisticRegression.bias(data.trainLabels(), data.validationRows());
        int n = data.fields().size();
        if (n < 2) {
            throw new IllegalArgumentException("a cross needs two fields, got " + data.fields());
        }
        for (int f = 0; f < n; f++) {
            // backfitting once all singles are in: earlier passes would refit a partial model
            model = model.with(data.single(f), data.trainLabels(), settings.l2(), f == n - 1 ? settings.sweeps() : 0);
        }
        double baseAuc = auc(model.validationLogits(), data.validationLabels());
        LOG.info("Validation AUC of the logistic regression on the single fields: {}", baseAuc);

        // candidate (sorted field indices) -> its last gain; new ones rank first
        Map<List<Integer>, Double> candidates = new LinkedHashMap<>();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                candidates.put(List.of(a, b), Double.POSITIVE_INFINITY);
            }
        }
        List<List<ScoredCross>> rounds = new ArrayList<>();
        List<ScoredCross> selected = new ArrayList<>();
        Map<List<Integer>, CrossColumn> chosenColumns = new HashMap<>();
        double currentAuc = baseAuc;
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
        try {
            while (selected.size() < settings.top() && !candidates.isEmpty()) {
                List<List<Integer>> beam = candidates.entrySet().stream()
                        .sorted(Map.Entry.<List<Integer>, Double>comparingByValue().reversed())
                        .limit(settings.maxCandidates()).map(Map.Entry::getKey).toList();
                List<Scored> scored = score(pool, data, model, beam, currentAuc);
                scored.forEach(s -> candidates.put(s.indices(), s.cross().gain()));
                rounds.add(scored.stream().map(Scored::cross).toList());
                Scored best = scored.get(0);
                LOG.info("Round {}: {} candidates, best {} gain {}", rounds.size(), scored.size(), best.cross().name(), best.cross().gain());
                if (best.cross().gain() < settings.minGain()) {
                    break;
                }
                selected.add(best.cross());
                candidates.remove(best.indices());
                CrossColumn column = data.cross(best.indices());
                chosenColumns.put(best.indices(), column);
                model = model.with(column, data.trainLabels(), settings.l2(), settings.sweeps());
                currentAuc = auc(model.validationLogits(), data.validationLabels());
                if (best.indices().size() < settings.maxOrder()) {
                    for (int f = 0; f < n; f++) {
                        if (!best.indices().contains(f)) {
                            TreeSet<Integer> wider = new TreeSet<>(best.indices());
                            wider.add(f);
                            List<Integer> key = List.copyOf(wider);
                            if (!chosenColumns.containsKey(key)) {
                                candidates.put(key, Double.POSITIVE_INFINITY);
                            }
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new AutoCrossResult(baseAuc, currentAuc, rounds, selected);
    }

    private record Scored(List<Integer> indices, ScoredCross cross) {}

    private List<Scored> score(ExecutorService pool, CrossSearchData data, FieldWiseLogisticRegression model,
                               List<List<Integer>> beam, double currentAuc) {
        List<Future<Scored>> futures = new ArrayList<>();
        for (List<Integer> indices : beam) {
            futures.add(pool.submit(() -> {
                CrossColumn column = data.cross(indices);
                double auc = auc(model.validationLogitsWith(column, data.trainLabels(), settings.l2()), data.validationLabels());
                List<String> names = indices.stream().map(data.fields()::get).toList();
                return new Scored(indices, new ScoredCross(names, column.cardinality(), auc, auc - currentAuc));
            }));
        }
        List<Scored> out = new ArrayList<>();
        try {
            for (Future<Scored> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("cross search interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("scoring a cross failed: " + e.getCause().getMessage(), e.getCause());
        }
        // ties broken by the candidate's fields so the order does not depend on scheduling
        out.sort(Comparator.comparingDouble((Scored s) -> -s.cross().gain()).thenComparing(s -> s.indices().toString()));
        return out;
    }

    static double auc(double[] logits, float[] labels) {
        AucAccumulator acc = new AucAccumulator();
        for (int r = 0; r < logits.length; r++) {
            acc.add(logits[r], labels[r]);
        }
        return acc.value();
    }
}
