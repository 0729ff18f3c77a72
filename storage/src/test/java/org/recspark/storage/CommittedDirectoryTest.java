package org.recspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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

    @Test
    void theNextWriteRemovesStagingACrashAbandonedButNotAWriteInProgress() throws IOException {
        Path crashedDir = Files.createDirectories(dir.resolve(".ckpt-1.tmp-1111/weights"));
        Files.writeString(crashedDir.resolve("tensors.bin"), "half");
        Path crashedFile = Files.writeString(dir.resolve(".state.json.tmp-2222"), "{\"da");
        Path inProgress = Files.writeString(dir.resolve(".state.json.tmp-3333"), "{\"date\"");
        FileTime longAgo = FileTime.from(Instant.now().minus(UnfinishedWrites.ABANDONED_AFTER).minusSeconds(60));
        for (Path p : List.of(crashedDir.resolve("tensors.bin"), crashedDir, crashedDir.getParent(), crashedFile)) {
            Files.setLastModifiedTime(p, longAgo);
        }

        CommittedDirectory.begin(dir.resolve("ckpt-2")).commit();
        assertEquals(List.of(".state.json.tmp-3333", "ckpt-2"), names(dir));
        Files.setLastModifiedTime(inProgress, longAgo);
        AtomicFile.writeString(dir.resolve("state.json"), "{}");
        assertEquals(List.of("ckpt-2", "state.json"), names(dir));
    }

    @Test
    void committedFilesAndDirectoriesGetTheUmasksPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plainDir = Files.createDirectory(dir.resolve("plain"));
        Path plainFile = Files.createFile(dir.resolve("plain.txt"));
        CommittedDirectory write = CommittedDirectory.begin(dir.resolve("bundle"));
        Files.createDirectory(write.staging().resolve("weights"));
        Files.writeString(write.staging().resolve("weights/tensors.bin"), "w");
        Path bundle = write.commit();
        AtomicFile.writeString(dir.resolve("state.json"), "{}");

        for (Path d : List.of(bundle, bundle.resolve("weights"))) {
            assertEquals(permissions(plainDir), permissions(d), d.toString());
        }
        for (Path f : List.of(bundle.resolve("weights/tensors.bin"), bundle.resolve(CommittedDirectory.MARKER), dir.resolve("state.json"))) {
            assertEquals(permissions(plainFile), permissions(f), f.toString());
        }
        if (permissions(plainFile).contains(PosixFilePermission.OTHERS_READ)) {
            // A umask such as 022: a serving user that is neither owner nor in the group reads the bundle.
            assertTrue(permissions(bundle).containsAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE)));
            assertTrue(permissions(dir.resolve("state.json")).containsAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ)));
        }
    }

    private static Set<PosixFilePermission> permissions(Path p) throws IOException {
        return Files.getPosixFilePermissions(p);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
