package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryRootTest {

    @Test
    void findsTheNearestPomListingTheSampleDataModule(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("checkout");
        Path module = Files.createDirectories(root.resolve("sample-data").resolve("src"));
        Files.writeString(root.resolve("pom.xml"), "<modules>\n    <module>sample-data</module>\n</modules>\n");
        Files.writeString(root.resolve("sample-data").resolve("pom.xml"), "<artifactId>recspark-sample-data</artifactId>\n");
        assertEquals(Optional.of(root), RepositoryRoot.findAbove(module));
        assertEquals(Optional.empty(), RepositoryRoot.findAbove(dir));
    }
}
