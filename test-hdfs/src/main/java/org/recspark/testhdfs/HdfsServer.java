package org.recspark.testhdfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeys;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node HDFS for tests: a NameNode and one DataNode in this JVM, every socket of both on 127.0.0.1
 * (RPC, data transfer, IPC and the HTTP servers; free ports, except the NameNode's RPC port when given).
 * Permission checks are off, so any local user can write anywhere.
 *
 * <p>{@code HdfsServer --storage DIR --uri-file FILE [--port N]} formats a new file system under DIR, which must be
 * empty or absent (a new format gets a new cluster id, which a DataNode's earlier storage would refuse). Once a
 * file can be written and read, it writes {@code hdfs://127.0.0.1:PORT} to FILE, atomically, and runs until its
 * standard input reaches end of file, then stops the DataNode and the NameNode and exits. The launching JVM holds
 * the other end of that pipe, so the server ends with it even when the launcher is killed without running its
 * shutdown hooks (a server started by hand stops on Ctrl-D). On SIGTERM it exits as Hadoop's own daemons do,
 * through Hadoop's shutdown hooks only: stopping a DataNode inside a shutdown hook fails, since the DataNode then
 * tries to remove hooks of its own. {@link LocalHdfs} launches it.
 */
public final class HdfsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HdfsServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String LOOPBACK = "127.0.0.1";

    private final NameNode nameNode;
    private final DataNode dataNode;
    private final URI uri;

    private HdfsServer(NameNode nameNode, DataNode dataNode, URI uri) {
        this.nameNode = nameNode;
        this.dataNode = dataNode;
        this.uri = uri;
    }

    public static void main(String[] args) {
        int exitCode;
        try {
            Arguments arguments = Arguments.parse(args);
            try (HdfsServer server = start(arguments.storage(), arguments.port())) {
                publish(server.uri(), arguments.uriFile());
                LOG.info("HDFS at {} ready {} ms after the JVM started", server.uri(),
                        ManagementFactory.getRuntimeMXBean().getUptime());
                System.in.transferTo(OutputStream.nullOutputStream());
                LOG.info("standard input closed: stopping");
            }
            exitCode = 0;
        } catch (IllegalArgumentException e) {
            LOG.error("{}\nusage: HdfsServer --storage DIR --uri-file FILE [--port N]", e.getMessage());
            exitCode = 2;
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOG.error("the HDFS server failed", e);
            exitCode = 1;
        }
        // The NameNode's and DataNode's threads are not daemons: only exit ends the JVM.
        System.exit(exitCode);
    }

    /** Formats storage, starts the NameNode and the DataNode, and returns once a file can be written. */
    static HdfsServer start(Path storage, int port) throws IOException, InterruptedException {
        requireEmpty(storage);
        Configuration conf = configuration(storage, port);
        // Formatting builds a namesystem of its own in this JVM, which registers the metrics sources the NameNode's
        // registers again; mini-cluster mode lets a name be registered twice (MiniDFSCluster sets it too).
        DefaultMetricsSystem.setMiniClusterMode(true);
        NameNode.format(conf);
        NameNode nameNode = NameNode.createNameNode(new String[0], conf);
        URI uri = URI.create("hdfs://" + LOOPBACK + ":" + nameNode.getNameNodeAddress().getPort());
        // Port 0 meant "any free port": the DataNode needs the one the NameNode got.
        Configuration dataNodeConf = new Configuration(conf);
        dataNodeConf.set(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY, uri.toString());
        dataNodeConf.set(DFSConfigKeys.DFS_NAMENODE_RPC_ADDRESS_KEY, uri.getAuthority());
        DataNode dataNode;
        try {
            dataNode = DataNode.createDataNode(new String[0], dataNodeConf);
        } catch (IOException | RuntimeException e) {
            nameNode.stop();
            throw e;
        }
        HdfsServer server = new HdfsServer(nameNode, dataNode, uri);
        try {
            server.awaitWritable(dataNodeConf);
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static Configuration configuration(Path storage, int port) {
        Configuration conf = new HdfsConfiguration();
        conf.set(CommonConfigurationKeys.HADOOP_TMP_DIR, storage.resolve("tmp").toString());
        conf.set(DFSConfigKeys.DFS_NAMENODE_NAME_DIR_KEY, storage.resolve("name").toUri().toString());
        conf.set(DFSConfigKeys.DFS_DATANODE_DATA_DIR_KEY, storage.resolve("data").toUri().toString());
        conf.set(CommonConfigurationKeysPublic.FS_DEFAULT_NAME_KEY, "hdfs://" + LOOPBACK + ":" + port);
        conf.set(DFSConfigKeys.DFS_NAMENODE_RPC_ADDRESS_KEY, LOOPBACK + ":" + port);
        conf.set(DFSConfigKeys.DFS_NAMENODE_HTTP_ADDRESS_KEY, LOOPBACK + ":0");
        conf.set(DFSConfigKeys.DFS_DATANODE_ADDRESS_KEY, LOOPBACK + ":0");
        conf.set(DFSConfigKeys.DFS_DATANODE_HTTP_ADDRESS_KEY, LOOPBACK + ":0");
        conf.set(DFSConfigKeys.DFS_DATANODE_IPC_ADDRESS_KEY, LOOPBACK + ":0");
        // The DataNode's internal web server (behind its HTTP address) has no address setting: it binds
        // localhost, 127.0.0.1 in /etc/hosts, on a free port.
        // The name the DataNode registers under, so that neither side looks up the machine's hostname.
        conf.set(DFSConfigKeys.DFS_DATANODE_HOST_NAME_KEY, LOOPBACK);
        conf.setBoolean(DFSConfigKeys.DFS_NAMENODE_DATANODE_REGISTRATION_IP_HOSTNAME_CHECK_KEY, false);
        conf.setBoolean(DFSConfigKeys.DFS_PERMISSIONS_ENABLED_KEY, false);
        conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
        // A new file system has no blocks to wait for: leave safe mode at once rather than after 30 s.
        conf.setInt(DFSConfigKeys.DFS_NAMENODE_SAFEMODE_EXTENSION_KEY, 0);
        // Lets tests choose blocks of a few kilobytes, for multi-block files (input splits) from small data.
        conf.setLong(DFSConfigKeys.DFS_NAMENODE_MIN_BLOCK_SIZE_KEY, 1024);
        return conf;
    }

    private static void requireEmpty(Path storage) throws IOException {
        if (Files.exists(storage)) {
            try (Stream<Path> entries = Files.list(storage)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--storage " + storage + " is not empty");
                }
            }
        }
    }

    /** Waits until the NameNode is out of safe mode with its DataNode's space known, then writes and reads a file. */
    private void awaitWritable(Configuration conf) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (DistributedFileSystem fs = (DistributedFileSystem) FileSystem.newInstance(uri, conf)) {
            while (!hasWritableDataNode(fs)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no writable DataNode after " + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
            org.apache.hadoop.fs.Path probe = new org.apache.hadoop.fs.Path("/.hdfs-server-probe");
            try (OutputStream out = fs.create(probe)) {
                out.write(uri.toString().getBytes(StandardCharsets.UTF_8));
            }
            try (InputStream in = fs.open(probe)) {
                if (!new String(in.readAllBytes(), StandardCharsets.UTF_8).equals(uri.toString())) {
                    throw new IOException("the probe file read back different bytes");
                }
            }
            fs.delete(probe, false);
        }
    }

    /** Out of safe mode, with a live DataNode that has reported free space (its first heartbeat is in). */
    private static boolean hasWritableDataNode(DistributedFileSystem fs) throws IOException {
        if (fs.isInSafeMode()) {
            return false;
        }
        DatanodeInfo[] live = fs.getDataNodeStats(DatanodeReportType.LIVE);
        return live.length == 1 && live[0].getRemaining() > 0;
    }

    /** Writes uri to file through a temporary file and a rename, so a reader never sees part of it. */
    private static void publish(URI uri, Path file) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, uri.toString(), StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }

    URI uri() {
        return uri;
    }

    @Override
    public void close() {
        dataNode.shutdown();
        nameNode.stop();
        LOG.info("HDFS at {} stopped", uri);
    }

    /** The command line: {@code --storage DIR --uri-file FILE [--port N]}. */
    private record Arguments(Path storage, Path uriFile, int port) {
        static Arguments parse(String[] args) {
            Path storage = null;
            Path uriFile = null;
            int port = 0;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--storage" -> storage = Path.of(args[i + 1]);
                    case "--uri-file" -> uriFile = Path.of(args[i + 1]);
                    case "--port" -> port = parsePort(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (storage == null || uriFile == null) {
                throw new IllegalArgumentException("--storage and --uri-file are required");
            }
            return new Arguments(storage, uriFile, port);
        }

        private static int parsePort(String value) {
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port " + value + " is not a port number (0 to 65535, 0 for any free one)");
            }
            return port;
        }
    }
}
