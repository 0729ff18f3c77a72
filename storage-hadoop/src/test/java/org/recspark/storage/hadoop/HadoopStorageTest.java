package org.recspark.storage.hadoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.LocationUnavailableException;
import org.recspark.storage.Locations;

/** java.nio.file.Files on a Hadoop filesystem (the local disk under the scheme testfs:). */
class HadoopStorageTest {
    @TempDir
    static Path local;
    private static Path root;

    @BeforeAll
    static void install() {
        HadoopStorage.install(SchemedLocalFileSystem.configuration());
        root = Locations.of("testfs://" + local.toAbsolutePath());
    }

    @Test
    void locationsWithASchemeArePathsOfTheirFilesystemNeverLocalPaths() {
        assertInstanceOf(HadoopPath.class, root);
        assertEquals("testfs:" + local.toAbsolutePath(), root.toString(), "no authority on this filesystem");
        assertEquals(root.resolve("x"), root.getFileSystem().getPath(root + "/x"));
        assertEquals(root, Locations.of(root.toString()), "an absolute path's text names it again");
        assertFalse(Locations.isLocal(root));
        assertTrue(Locations.isLocal(Locations.of("file://" + local.toAbsolutePath())));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Locations.of("nosuchfs://host/x"));
        assertTrue(unknown.getMessage().contains("nosuchfs"), unknown.getMessage());
    }

    @Test
    void configLocationsResolveAgainstTheConfigsDirectoryWithItsScheme() {
        Path configDir = root.resolve("configs");
        assertEquals(root.resolve("configs/vocab/a.txt"), Locations.resolve(configDir, "vocab/a.txt"));
        assertEquals(root.resolve("data"), Locations.resolve(configDir, "../data"));
        assertEquals(root.getFileSystem().getPath("/abs/x"), Locations.resolve(configDir, "/abs/x"));
        assertTrue(Locations.isLocal(Locations.resolve(configDir, "file:///tmp/x")));
    }

    @Test
    void pathAlgebraFollowsJavaSemantics() {
        Path p = root.resolve("a/b/c.txt");
        assertEquals("c.txt", p.getFileName().toString());
        assertEquals(root.resolve("a/b"), p.getParent());
        assertEquals(root.getFileSystem().getPath("b/c.txt"), root.resolve("a").relativize(p));
        assertEquals(p, root.resolve("a/./x/../b/c.txt").normalize());
        assertTrue(p.startsWith(root));
        assertTrue(p.endsWith(root.getFileSystem().getPath("b/c.txt")));
        assertEquals(p, p.toAbsolutePath());
        assertEquals(p.toUri(), Locations.of(p.toUri().toString()).toUri());
    }

    @Test
    void filesReadWriteListAndWalk() throws IOException {
        Path dir = Files.createDirectories(root.resolve("rw/x/y"));
        Files.writeString(dir.resolve("one.txt"), "hello\nworld\n", StandardCharsets.UTF_8);
        Files.write(dir.resolve("two.bin"), new byte[70_000]);
        assertEquals("hello\nworld\n", Files.readString(dir.resolve("one.txt")));
        assertEquals(List.of("hello", "world"), Files.readAllLines(dir.resolve("one.txt")));
        assertEquals(70_000, Files.readAllBytes(dir.resolve("two.bin")).length);
        assertEquals(70_000, Files.size(dir.resolve("two.bin")));
        assertTrue(Files.isDirectory(dir));
        assertTrue(Files.isRegularFile(dir.resolve("one.txt")));
        assertFalse(Files.exists(dir.resolve("three")));
        assertFalse(Files.exists(dir.resolve("one.txt/child")), "a path under a file is absent, not an error");
        assertTrue(Files.notExists(dir.resolve("three")));
        try (Stream<Path> walk = Files.walk(root.resolve("rw"))) {
            assertEquals(5, walk.count());
        }
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(List.of("one.txt", "two.bin"), list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertThrows(NoSuchFileException.class, () -> Files.readString(dir.resolve("missing")));
        assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(dir));
        assertThrows(NoSuchFileException.class, () -> Files.createDirectory(root.resolve("no/such/parent")));
        assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(root.resolve("rw")));
        Path tmp = Files.createTempFile(dir, ".t-", ".tmp");
        assertTrue(Files.exists(tmp));
        Path tmpDir = Files.createTempDirectory(dir, ".d-");
        assertTrue(Files.isDirectory(tmpDir));
    }

    @Test
    void movesRefuseToOverwriteUnlessAskedAndReplaceInOneStep() throws IOException {
        Path dir = Files.createDirectories(root.resolve("mv"));
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        assertThrows(FileAlreadyExistsException.class, () -> Files.move(dir.resolve("a"), dir.resolve("b")));
        Files.move(dir.resolve("a"), dir.resolve("b"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals("A", Files.readString(dir.resolve("b")));
        assertFalse(Files.exists(dir.resolve("a")));
        Files.createDirectories(dir.resolve("d1/inner"));
        Files.move(dir.resolve("d1"), dir.resolve("d2"), StandardCopyOption.ATOMIC_MOVE);
        assertTrue(Files.isDirectory(dir.resolve("d2/inner")));
    }

    @Test
    void committedDirectoriesAppearWholeAndAreVerified() throws IOException {
        Path target = root.resolve("commits/ckpt-1");
        CommittedDirectory write = CommittedDirectory.begin(target);
        Files.writeString(write.staging().resolve("tensors.bin"), "0123456789");
        Files.createDirectories(write.staging().resolve("sub"));
        Files.writeString(write.staging().resolve("sub/x"), "x");
        assertFalse(Files.exists(target), "not visible before the commit");
        write.commit();
        assertTrue(CommittedDirectory.isCommitted(target));
        assertTrue(CommittedDirectory.verify(target).isEmpty());
        Files.writeString(target.resolve("tensors.bin"), "01234");
        assertTrue(CommittedDirectory.verify(target).orElseThrow().contains("tensors.bin has 5 bytes, 10 were written"));

        CommittedDirectory failed = CommittedDirectory.begin(root.resolve("commits/ckpt-2"));
        Files.writeString(failed.staging().resolve("tensors.bin"), "partial");
        failed.abandon();
        try (Stream<Path> left = Files.list(root.resolve("commits"))) {
            assertEquals(List.of("ckpt-1"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void onStoresWithoutAtomicRenameTheMarkerIsWrittenLastInPlace() throws IOException {
        org.apache.hadoop.conf.Configuration conf = SchemedLocalFileSystem.configuration();
        conf.set(HadoopStorage.NON_ATOMIC_RENAME_SCHEMES, SchemedLocalFileSystem.SCHEME);
        HadoopStorage.install(conf);
        try {
            Path target = root.resolve("object-store/ckpt-7");
            assertFalse(Locations.atomicRename(target));
            CommittedDirectory write = CommittedDirectory.begin(target);
            assertEquals(target, write.staging(), "written in place: a rename would copy object by object");
            Files.writeString(write.staging().resolve("tensors.bin"), "0123");
            assertTrue(Files.exists(target));
            assertFalse(CommittedDirectory.isCommitted(target), "visible but not committed: readers skip it");
            assertTrue(CommittedDirectory.verify(target).orElseThrow().contains("no _COMMITTED marker"));
            write.commit();
            assertTrue(CommittedDirectory.verify(target).isEmpty());

            CommittedDirectory rewrite = CommittedDirectory.begin(target);
            assertFalse(CommittedDirectory.isCommitted(target), "a rewrite withdraws the marker before touching any file");
            rewrite.abandon();
            assertFalse(Files.exists(target));
            assertThrows(java.nio.file.AtomicMoveNotSupportedException.class,
                    () -> Files.move(root.resolve("object-store"), root.resolve("moved"), java.nio.file.StandardCopyOption.ATOMIC_MOVE));

            Path file = root.resolve("object-store/current.json");
            AtomicFile.writeString(file, "{}");
            assertEquals("{}", Files.readString(file));
        } finally {
            HadoopStorage.install(SchemedLocalFileSystem.configuration());
        }
    }

    @Test
    void atomicFilesReplaceWhole() throws IOException {
        Path file = root.resolve("state/current.json");
        AtomicFile.writeString(file, "{\"a\": 1}");
        AtomicFile.writeString(file, "{\"a\": 2}");
        assertEquals("{\"a\": 2}", Files.readString(file));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals(1, left.count());
        }
    }

    @Test
    void anUnreachableFilesystemIsAnErrorNamingThePath() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        org.apache.hadoop.conf.Configuration conf = SchemedLocalFileSystem.configuration();
        conf.setInt("ipc.client.connect.max.retries", 0);
        conf.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
        HadoopStorage.install(conf);
        try {
            String location = "hdfs://127.0.0.1:" + closedPort + "/models/x";
            Path unreachable = Locations.of(location);
            // createDirectories looks for the nearest existing parent after its first attempt fails.
            LocationUnavailableException e = assertThrows(LocationUnavailableException.class, () -> Files.createDirectories(unreachable));
            assertTrue(e.getMessage().contains("hdfs://127.0.0.1:" + closedPort + "/models"), e.getMessage());
            assertTrue(assertThrows(IOException.class, () -> Files.readString(unreachable)).getMessage().contains(location));
            assertTrue(assertThrows(IOException.class, () -> Files.list(unreachable)).getMessage().contains(location));
            // Files' existence queries take any IOException for "absent": an unreachable store must not look empty.
            for (Executable query : List.<Executable>of(() -> Files.exists(unreachable), () -> Files.notExists(unreachable),
                    () -> Files.isDirectory(unreachable), () -> Files.isRegularFile(unreachable))) {
                LocationUnavailableException unavailable = assertThrows(LocationUnavailableException.class, query);
                assertTrue(unavailable.getMessage().startsWith("cannot tell what is at " + location + ": its filesystem did not answer ("),
                        unavailable.getMessage());
                assertTrue(unavailable.getMessage().contains("Connection refused"), unavailable.getMessage());
            }
        } finally {
            HadoopStorage.install(SchemedLocalFileSystem.configuration());
        }
    }

    @Test
    void aHostThatDoesNotResolveIsAnErrorNamingThePath() {
        String location = "hdfs://no-such-namenode.invalid:8020/models/x";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Locations.of(location));
        assertTrue(e.getMessage().startsWith("cannot use " + location + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-namenode.invalid"), e.getMessage());
    }

    @Test
    void theConfigurationTravelsToAnotherJvmAsBytes() {
        byte[] bytes = HadoopStorage.serializedConfiguration();
        HadoopStorage.installSerialized(bytes);
        assertEquals(root, Locations.of(root.toString()));
    }
}
