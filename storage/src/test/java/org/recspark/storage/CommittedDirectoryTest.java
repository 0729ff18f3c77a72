package org.recspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit protocol on the local disk (the Hadoop module tests it through Hadoop's FileSystem). */
class CommittedDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void aDirectoryAppearsOnlyWhenCommittedAndReplacesTheEarlierOne() throws IOException {
        Path target = dir.resolve("out");
        CommittedDirectory first = CommittedDirectory.begin(target);
        Files.writeString(first.staging().resolve("a.txt"), "first");
        assertFalse(Files.exists(target));
        first.commit();
        CommittedDirectory second = CommittedDirectory.begin(target);
        Files.writeString(second.staging().resolve("b.txt"), "second");
        assertEquals("first", Files.readString(target.resolve("a.txt")), "the earlier directory stays until the commit");
        second.commit();
        assertFalse(Files.exists(target.resolve("a.txt")));
        assertEquals("second", Files.readString(target.resolve("b.txt")));
        assertTrue(CommittedDirectory.verify(target).isEmpty());
        assertEquals(List.of("out"), names(dir));
    }

    @Test
    void verificationNamesTheMissingMarkerOrFile() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        assertTrue(CommittedDirectory.verify(plain).orElseThrow().contains("no _COMMITTED marker"));
        CommittedDirectory write = CommittedDirectory.begin(dir.resolve("c"));
        Files.writeString(write.staging().resolve("x.bin"), "12345");
        write.commit();
        Files.delete(dir.resolve("c/x.bin"));
        assertTrue(CommittedDirectory.verify(dir.resolve("c")).orElseThrow().contains("x.bin is missing"));
    }

    @Test
    void leftoversOfUnfinishedWritesAreRemoved() throws IOException {
        CommittedDirectory.begin(dir.resolve("ckpt-1"));
        CommittedDirectory done = CommittedDirectory.begin(dir.resolve("ckpt-2"));
        done.commit();
        assertEquals(1, CommittedDirectory.removeLeftovers(dir, "ckpt-").size());
        assertEquals(List.of("ckpt-2"), names(dir));
    }

    @Test
    void atomicFilesLeaveNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("state/current.json");
        AtomicFile.writeString(file, "1");
        AtomicFile.write(file, out -> out.write('2'));
        assertEquals("2", Files.readString(file));
        assertEquals(List.of("current.json"), names(file.getParent()));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
