package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExchangeTimesTest {

    @Test
    void reportsPerStepMeansInMicroseconds() {
        ExchangeTimes times = new ExchangeTimes();
        times.add(400_000, 100_000, 120_000, 300_000, 50_000, 4, 5);
        times.add(600_000, 140_000, 100_000, 500_000, 70_000, 3, 5);
        assertEquals("over 2 steps, per step: waiting for the overlapped buckets 500 us, remaining buckets 120 us, all-gather 110 us, "
                + "sparse rows 400 us, sparse update 60 us; 3.5 of 5.0 buckets overlapped", times.toString());
    }

    @Test
    void reportsZeroBeforeAnyStep() {
        assertEquals("over 0 steps, per step: waiting for the overlapped buckets 0 us, remaining buckets 0 us, all-gather 0 us, "
                + "sparse rows 0 us, sparse update 0 us; 0.0 of 0.0 buckets overlapped", new ExchangeTimes().toString());
    }
}
