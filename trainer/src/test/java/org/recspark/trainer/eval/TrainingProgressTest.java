package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {
    private static TrainingProgress at(long step, long runSteps, double runSeconds, double lossSum) {
        return new TrainingProgress(step, 1000, 0, step * 10, runSteps, runSteps * 10, runSeconds, lossSum, -1, Map.of());
    }

    @Test
    void ratesAreOverTheIntervalSinceAnEarlierSnapshotOfTheSameProcess() {
        TrainingProgress earlier = at(300, 100, 10, 50);
        TrainingProgress later = at(500, 300, 30, 110);
        assertTrue(later.follows(earlier));
        assertEquals(2000 / 20.0, later.samplesPerSecondSince(earlier), 1e-9);
        assertEquals(60 / 200.0, later.meanLossSince(earlier), 1e-9);
        assertEquals(3000 / 30.0, later.samplesPerSecondSince(null), 1e-9, "since the start without an earlier snapshot");
        assertEquals(110 / 300.0, later.meanLossSince(null), 1e-9);
        // 500 steps to go at 30 s per 300 steps
        assertEquals(50, later.etaSeconds().orElseThrow(), 1e-9);
        assertTrue(at(0, 0, 1, 0).etaSeconds().isEmpty());
    }

    @Test
    void aRetriedAttemptIsNotAContinuation() {
        TrainingProgress failed = at(250, 250, 25, 80);
        TrainingProgress resumed = at(260, 20, 3, 6);
        assertFalse(resumed.follows(failed), "another start step");
        assertEquals(200 / 3.0, resumed.samplesPerSecondSince(failed), 1e-9);
        assertFalse(at(260, 260, 3, 6).follows(failed), "a restart from step 0 that has used less time");
    }

    @Test
    void itCrossesJavaSerializationWithItsMetricsInOrder() throws IOException, ClassNotFoundException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("logloss", 0.45);
        metrics.put("auc", 0.71);
        TrainingProgress p = new TrainingProgress(40, 100, 1, 5120, 40, 5120, 12.5, 20.0, 40, metrics);
        metrics.put("later", 1.0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        TrainingProgress back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (TrainingProgress) in.readObject();
        }
        assertEquals(p, back);
        assertEquals(List.of("logloss", "auc"), List.copyOf(back.evaluationMetrics().keySet()), "a copy, in order");
    }
}
