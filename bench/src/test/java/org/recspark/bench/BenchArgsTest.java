package org.recspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
    private static final String USAGE = "usage: Bench --data DIR [--threads N] [--config C]...";
    private static final Set<String> OPTIONS = Set.of("data", "threads", "config", "ks", "gain");

    private static BenchArgs parse(String... args) {
        return BenchArgs.parse(args, USAGE, OPTIONS);
    }

    @Test
    void readsTypedValuesAndFallsBackToDefaults() {
        BenchArgs a = parse("--data", "/tmp/d", "--threads", "4", "--ks", "1, 2,5", "--gain", "0.5");
        assertEquals(Path.of("/tmp/d"), a.path("data"));
        assertEquals(4, a.integer("threads", 2));
        assertEquals(List.of(1, 2, 5), a.integers("ks", List.of()));
        assertEquals(0.5, a.number("gain", 0));
        assertEquals(7L, a.longValue("seed-less", 7L));
        assertTrue(a.optional("config").isEmpty());
    }

    @Test
    void aRepeatedOptionKeepsEveryValueInOrder() {
        BenchArgs a = parse("--config", "a.pbtxt", "--data", "d", "--config", "b.pbtxt");
        assertEquals(List.of(Path.of("a.pbtxt").toAbsolutePath(), Path.of("b.pbtxt").toAbsolutePath()), a.requiredPaths("config"));
        assertEquals("b.pbtxt", a.required("config"));
    }

    @Test
    void everyMistakeNamesTheOptionAndRepeatsTheUsage() {
        assertMessage(() -> parse("--threds", "2"), "unknown argument '--threds'");
        assertMessage(() -> parse("data", "d"), "unknown argument 'data'");
        assertMessage(() -> parse("--data"), "--data needs a value");
        assertMessage(() -> parse("--threads", "2").path("data"), "--data is required");
        assertMessage(() -> parse("--data", "d").requiredPaths("config"), "--config is required");
        assertMessage(() -> parse("--threads", "two").integer("threads", 1), "--threads: expected an integer, got 'two'");
        assertMessage(() -> parse("--ks", "1,x").integers("ks", List.of()), "--ks: expected a comma-separated list of integers, got 'x'");
    }

    private static void assertMessage(Runnable r, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertTrue(e.getMessage().endsWith(USAGE), e.getMessage());
    }
}
