package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.jobs.samples.SampleBuildJobTest;

/**
 * A command whose bundle is on a NameNode that does not answer fails naming the location and the
 * reason, instead of taking the unreachable directory for one without a bundle.
 */
class UnreachableStorageTest {
    private static final String RETRIES = "spark.hadoop.ipc.client.connect.max.retries";

    @Test
    void predictWithABundleOnAnUnreachableNameNodeNamesTheLocation(@TempDir Path tmp) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String bundle = "hdfs://127.0.0.1:" + closedPort + "/models/export/final";
        Path config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Fail at the first refused connection rather than after Hadoop's ten retries.
        System.setProperty(RETRIES, "0");
        int code;
        try {
            code = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    "predict", "--config", config.toString(), "--bundle", bundle, "--out", tmp.resolve("scores").toString());
        } finally {
            System.clearProperty(RETRIES);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, printed);
        assertTrue(printed.contains("recspark predict failed: cannot tell what is at " + bundle + "/export.pb: its filesystem did not answer"),
                printed);
        assertTrue(printed.contains("Connection refused"), printed);
        assertFalse(printed.contains("is not an export bundle"), printed);
        assertFalse(Files.exists(tmp.resolve("scores")), "nothing was written");
    }
}
