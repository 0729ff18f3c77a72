package org.recspark.hpo.trial;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search's memory: {@value #FILE} in the search directory, one JSON object per line, each line
 * written and forced to disk when a trial starts and when it finishes. The first line names the
 * search (a fingerprint of the base config and the search space), so a log is never continued by a
 * different search. Lines: {@code {"record":"search","version":1,"fingerprint":..}},
 * {@code {"record":"started","trial":3,"params":{path: text},"time":..}},
 * {@code {"record":"finished","trial":3,"params":{..},"status":..,"objective":..,"seconds":..,
 * "steps":..,"stop_reason":..,"error":..,"run_dir":..,"curve":[[step, examples, value], ..],"time":..}}.
 *
 * <p>Reopening reads what was finished (kept) and what was started but not finished (to run
 * again). A last line cut short by a crash is dropped and the file truncated before it; a bad line
 * anywhere else is an error. On stores other than the local disk (HDFS, S3), each record replaces
 * the whole file ({@link AtomicFile}). Thread-safe.
 */
public final class TrialLog implements Closeable {
    public static final String FILE = "trials.jsonl";
    static final int VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(TrialLog.class);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final Path file;
    /** The open file, on the local disk. */
    private final FileChannel channel;
    /** The whole log, rewritten at each record, on other stores (HDFS, S3), which have no random-access writes. */
    private final ByteArrayOutputStream rewritten;
    private final Map<Integer, TrialRecord> finished;
    private final Map<Integer, Map<String, String>> unfinished;

    private TrialLog(Path file, FileChannel channel, ByteArrayOutputStream rewritten, Map<Integer, TrialRecord> finished,
                     Map<Integer, Map<String, String>> unfinished) {
        this.file = file;
        this.channel = channel;
        this.rewritten = rewritten;
        this.finished = finished;
        this.unfinished = unfinished;
    }

    /** Opens the log of the search with this fingerprint in {@code dir}, creating it when absent. */
    public static TrialLog open(Path dir, String fingerprint) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Map<Integer, TrialRecord> finished = new TreeMap<>();
            Map<Integer, Map<String, String>> started = new TreeMap<>();
            long goodBytes = 0;
            boolean exists = Files.exists(file);
            if (exists) {
                goodBytes = read(file, fingerprint, finished, started);
            }
            TrialLog log;
            if (Locations.isLocal(file)) {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                channel.truncate(goodBytes);
                channel.position(goodBytes);
                log = new TrialLog(file, channel, null, finished, started);
            } else {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                if (exists) {
                    content.write(Files.readAllBytes(file), 0, (int) goodBytes);
                }
                log = new TrialLog(file, null, content, finished, started);
            }
            if (goodBytes == 0) {
                JsonObject header = new JsonObject();
                header.addProperty("record", "search");
                header.addProperty("version", VERSION);
                header.addProperty("fingerprint", fingerprint);
                header.addProperty("time", Instant.now().toString());
                log.append(header);
            } else {
                LOG.info("Resuming the search in {}: {} trials finished, {} started and not finished (run again)", dir, finished.size(),
                        started.size());
            }
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the trial log " + file, e);
        }
    }

    /** Reads the records; returns the length of the valid prefix of the file. */
    private static long read(Path file, String fingerprint, Map<Integer, TrialRecord> finished, Map<Integer, Map<String, String>> started)
            throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\n", -1));
        long offset = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean last = i == lines.size() - 1;
            if (last && line.isEmpty()) {
                break;
            }
            JsonObject o;
            try {
                if (last) {
                    // a line without its newline was cut short by a crash, even when it happens to parse
                    throw new JsonParseException("no newline at the end");
                }
                o = JsonParser.parseString(line).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                if (last) {
                    LOG.warn("{}: dropping the last line, cut short by a crash: {}", file, line);
                    break;
                }
                throw new IllegalStateException(file + ":" + (i + 1) + ": not a trial log record: " + line, e);
            }
            String record = o.get("record").getAsString();
            if (i == 0) {
                if (!record.equals("search") || o.get("version").getAsInt() != VERSION) {
                    throw new IllegalStateException(file + " is not a trial log of version " + VERSION + ": " + line);
                }
                if (!o.get("fingerprint").getAsString().equals(fingerprint)) {
                    throw new IllegalStateException(file + " belongs to another search (a different base config or search space: fingerprint "
                            + o.get("fingerprint").getAsString() + ", this search is " + fingerprint
                            + "); use another output directory, or delete it to start over");
                }
            } else {
                int trial = o.get("trial").getAsInt();
                Map<String, String> params = TrialJson.params(o.getAsJsonObject("params"));
                switch (record) {
                    case "started" -> started.put(trial, params);
                    case "finished" -> {
                        finished.put(trial, new TrialRecord(trial, params, TrialJson.outcome(o)));
                        started.remove(trial);
                    }
                    default -> throw new IllegalStateException(file + ":" + (i + 1) + ": unknown record '" + record + "'");
                }
            }
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return offset;
    }

    /** The trials finished in earlier runs of this search, by number. */
    public synchronized Map<Integer, TrialRecord> finished() {
        return Collections.unmodifiableMap(new TreeMap<>(finished));
    }

    /** The trials an earlier run started and did not finish (it crashed), with their parameters. */
    public synchronized Map<Integer, Map<String, String>> unfinished() {
        return Collections.unmodifiableMap(new TreeMap<>(unfinished));
    }

    public synchronized void started(int trial, Map<String, String> params) {
        JsonObject o = new JsonObject();
        o.addProperty("record", "started");
        o.addProperty("trial", trial);
        o.add("params", TrialJson.params(params));
        o.addProperty("time", Instant.now().toString());
        append(o);
        unfinished.put(trial, new LinkedHashMap<>(params));
    }

    public synchronized void finished(TrialRecord record) {
        JsonObject o = new JsonObject();
        o.addProperty("record", "finished");
        o.addProperty("trial", record.number());
        o.add("params", TrialJson.params(record.params()));
        TrialJson.outcome(record.outcome(), o);
        o.addProperty("time", Instant.now().toString());
        append(o);
        unfinished.remove(record.number());
        finished.put(record.number(), record);
    }

    private void append(JsonObject o) {
        byte[] line = (GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (rewritten != null) {
                rewritten.write(line);
                AtomicFile.write(file, rewritten.toByteArray());
                return;
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the trial log " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the trial log " + file, e);
        }
    }
}
