package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequiredSharedDataTest {
    @Test
    void aMissingDatasetFailsTheTestWhereTheDataIsRequired(@TempDir Path dir) {
        Path expected = dir.resolve("movielens-100k");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> RequiredSharedData.require(Optional.empty(), expected, "the HPO acceptance search", true));
        assertTrue(e.getMessage().startsWith(expected + " is missing; this test needs it: the HPO acceptance search"), e.getMessage());
        assertTrue(e.getMessage().contains("This run requires the shared data (CI=true or -Drecspark.requireData=true)"), e.getMessage());
    }

    @Test
    void aMissingDatasetSkipsTheTestWithItsReasonElsewhere(@TempDir Path dir) {
        Path expected = dir.resolve("frappe");
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> RequiredSharedData.require(Optional.empty(), expected, "row counts of the split", false));
        assertTrue(e.getMessage().startsWith(expected + " is missing; this test needs it: row counts of the split"), e.getMessage());
    }

    @Test
    void aPresentDatasetIsReturnedEitherWay(@TempDir Path dir) {
        assertEquals(dir, RequiredSharedData.require(Optional.of(dir), dir, "anything", true));
        assertEquals(dir, RequiredSharedData.require(Optional.of(dir), dir, "anything", false));
    }

    @Test
    void ciInTheEnvironmentOrThePropertyRequiresTheData() {
        assertTrue(RequiredSharedData.required(Map.of("CI", "true"), null));
        assertTrue(RequiredSharedData.required(Map.of(), "true"));
        assertFalse(RequiredSharedData.required(Map.of(), null));
        assertFalse(RequiredSharedData.required(Map.of("CI", "false"), "false"));
    }
}
