package org.recspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locations without Hadoop on the classpath: the local disk, and a clear error for any other scheme. */
class LocationsTest {
    @TempDir
    Path dir;

    @Test
    void localPathsAndFileUrisAreLocalPaths() {
        assertEquals(dir, Locations.of(dir.toString()));
        assertEquals(dir, Locations.of(dir.toUri().toString()));
        assertEquals(dir, Locations.of(Locations.uri(dir)));
        assertTrue(Locations.isLocal(dir));
        assertTrue(Locations.atomicRename(dir));
    }

    @Test
    void configLocationsAreRelativeToTheConfigsDirectory() {
        assertEquals(dir.resolve("data/x.csv"), Locations.resolve(dir.resolve("configs"), "../data/x.csv"));
        assertEquals(Path.of("/abs/x"), Locations.resolve(dir, "/abs/x"));
        assertEquals(Path.of("/abs/x"), Locations.resolve(dir, "file:///abs/x"));
        assertEquals(dir, Locations.parentOf(dir.resolve("c.pbtxt")));
    }

    @Test
    void schemesAreToldApartFromDriveLettersAndPlainNames() {
        assertTrue(Locations.hasScheme("hdfs://nn:8020/x"));
        assertTrue(Locations.hasScheme("s3a://bucket/x"));
        assertTrue(Locations.hasScheme("file:/x"));
        assertFalse(Locations.hasScheme("C:/x"));
        assertFalse(Locations.hasScheme("relative/x"));
        assertFalse(Locations.hasScheme("/abs/x:y"));
    }

    @Test
    void aUriIsNeverTurnedIntoALocalPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Locations.of("hdfs://nn:8020/models/x"));
        assertTrue(e.getMessage().contains("hdfs://nn:8020/models/x") && e.getMessage().contains("'hdfs:'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Locations.resolve(dir, "s3a://bucket/vocab.txt"));
    }
}
