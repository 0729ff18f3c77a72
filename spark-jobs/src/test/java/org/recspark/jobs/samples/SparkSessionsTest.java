package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the project sets on its sessions, from given system properties (no Spark started). */
class SparkSessionsTest {
    private static Map<String, String> settings(String... keyValues) {
        Properties system = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            system.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return SparkSessions.settings(system);
    }

    @Test
    void localSessionsDoNotWaitForLocality() {
        Map<String, String> own = settings();
        assertEquals("local[*]", own.get("spark.master"));
        assertEquals("0s", own.get("spark.locality.wait"), "bin/recspark's session");
        assertEquals("0s", settings("spark.master", "local[2]").get("spark.locality.wait"), "spark-submit --master local[2]");
    }

    @Test
    void theUsersLocalityWaitWinsAndClustersKeepSparksDefault() {
        // Spark reads the user's value from the system properties; a builder setting would override it.
        assertFalse(settings("spark.locality.wait", "3s").containsKey("spark.locality.wait"));
        assertFalse(settings("spark.master", "local[2]", "spark.locality.wait", "1s").containsKey("spark.locality.wait"));
        assertFalse(settings("spark.master", "yarn").containsKey("spark.locality.wait"));
        assertFalse(settings("spark.master", "spark://127.0.0.1:7077").containsKey("spark.locality.wait"));
    }
}
