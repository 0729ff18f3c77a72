package org.recspark.evaluator.report;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.google.gson.stream.MalformedJsonException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's metric history as JSON lines, one {@link MetricsRecord} per line:
 *
 * <pre>{"step":200,"epoch":0,"kind":"eval","time_ms":1718000000000,"metrics":{"auc":0.71,"gauc":"NaN"}}</pre>
 *
 * <p>Each {@link #record} writes its whole line and flushes it to the operating system, so the
 * history survives a crash of the training process up to the last record (not a power loss: there
 * is no fsync). On other stores (HDFS, S3), where a file being written is not readable, each record
 * replaces the whole file ({@link AtomicFile}). NaN and infinite values are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}, which plain JSON has no numbers for.
 *
 * <p>Thread-safe: records from several threads are written whole, one line each.
 */
public final class MetricsHistory implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHistory.class);

    private final Path file;
    /** The open file, on the local disk. */
    private final Writer out;
    /** The whole history, rewritten at each record, on other stores (HDFS, S3), where an open file is not readable. */
    private final StringBuilder rewritten;
    private boolean closed;

    private MetricsHistory(Path file, Writer out, StringBuilder rewritten) {
        this.file = file;
        this.out = out;
        this.rewritten = rewritten;
    }

    /** Starts a new history at {@code file}, creating its parent directories and truncating an existing file. */
    public static MetricsHistory create(Path file) throws IOException {
        Files.createDirectories(Locations.parentOf(file));
        if (!Locations.isLocal(file)) {
            AtomicFile.writeString(file, "");
            return new MetricsHistory(file, null, new StringBuilder());
        }
        return new MetricsHistory(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), null);
    }

    /**
     * Continues the existing history at {@code file}, for example when a run resumes from a
     * checkpoint. A last line cut short by a crash (no final newline) is dropped first, with a
     * warning, so that the file stays readable.
     */
    public static MetricsHistory append(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no metrics history to append to (MetricsHistory.create starts one)");
        }
        if (!Locations.isLocal(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n') + 1;
            if (end < text.length()) {
                LOG.warn("metrics history {}: dropping an unterminated last line of {} characters (a crash during a write)", file,
                        text.length() - end);
            }
            return new MetricsHistory(file, null, new StringBuilder(text.substring(0, end)));
        }
        dropUnterminatedLastLine(file);
        return new MetricsHistory(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), null);
    }

    /**
     * Continues the history of a run resumed from its checkpoint at {@code step}: the records up to
     * that step are kept as they are, the records of later steps (written by the interrupted run
     * after its last checkpoint, which the resumed run writes again) are dropped with a log line,
     * and new records are appended. The kept lines are rewritten atomically, so a crash here
     * leaves either the old file or the kept one, never less. Without a file a new one is started.
     */
    public static MetricsHistory continueAt(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            LOG.warn("metrics history {} is missing: the resumed run starts a new one at step {}", file, step);
            return create(file);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        StringBuilder kept = new StringBuilder();
        int lineNumber = 0;
        int dropped = 0;
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
            lineNumber++;
            String line = text.substring(start, end);
            MetricsRecord record;
            try {
                record = parse(line);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("malformed metrics history " + file + " line " + lineNumber + ": " + e.getMessage(), e);
            }
            if (record.step() <= step) {
                kept.append(line).append('\n');
            } else {
                dropped++;
            }
        }
        if (start < text.length()) {
            LOG.warn("metrics history {}: dropping an unterminated last line of {} characters (a crash during a write)", file,
                    text.length() - start);
        }
        if (dropped > 0 || start < text.length()) {
            LOG.info("metrics history {}: resuming at step {}, dropped {} records of later steps written before the interruption "
                    + "(they are recorded again as the run repeats those steps); kept {} lines", file, step, dropped, lineNumber - dropped);
            AtomicFile.writeString(file, kept.toString());
        }
        return append(file);
    }

    /** The file this history writes to. */
    public Path file() {
        return file;
    }

    /** Appends {@code record} as one line and flushes it. */
    public synchronized void record(MetricsRecord record) throws IOException {
        if (closed) {
            throw new IllegalStateException("metrics history " + file + " is closed");
        }
        if (rewritten != null) {
            rewritten.append(toJson(record)).append('\n');
            AtomicFile.writeString(file, rewritten.toString());
            return;
        }
        out.write(toJson(record));
        out.write('\n');
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            if (out != null) {
                out.close();
            }
        }
    }

    /**
     * Every record of the history at {@code file}, in file order.
     *
     * @throws IOException when the file cannot be read, or a line is not a well-formed record (the
     *     message names the file and the line number)
     */
    public static List<MetricsRecord> read(Path file) throws IOException {
        List<MetricsRecord> records = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                try {
                    records.add(parse(line));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException("malformed metrics history " + file + " line " + lineNumber + ": " + e.getMessage(), e);
                }
            }
        }
        return records;
    }

    static String toJson(MetricsRecord record) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            json.name("step").value(record.step());
            json.name("epoch").value(record.epoch());
            json.name("kind").value(record.kind().jsonName());
            json.name("time_ms").value(record.timeMillis());
            json.name("metrics").beginObject();
            for (Map.Entry<String, Double> m : record.metrics().entrySet()) {
                double v = m.getValue();
                json.name(m.getKey());
                if (Double.isFinite(v)) {
                    json.value(v);
                } else {
                    json.value(Double.toString(v));
                }
            }
            json.endObject();
            json.endObject();
        }
        return text.toString();
    }

    private static MetricsRecord parse(String line) throws IOException {
        if (line.isBlank()) {
            throw new IllegalArgumentException("empty line, expected a JSON object");
        }
        JsonReader json = new JsonReader(new StringReader(line));
        json.setStrictness(Strictness.STRICT);
        try {
            return parse(json);
        } catch (MalformedJsonException e) {
            String path = json.getPath();
            String hint = path.startsWith("$.metrics.") ? " (NaN and infinities are written as the strings \"NaN\", \"Infinity\", \"-Infinity\")" : "";
            throw new IllegalArgumentException("not valid JSON at " + path + hint, e);
        } catch (EOFException e) {
            throw new IllegalArgumentException("the line ends inside the JSON object, at " + json.getPath(), e);
        }
    }

    private static MetricsRecord parse(JsonReader json) throws IOException {
        Long step = null;
        Integer epoch = null;
        MetricsRecord.Kind kind = null;
        Long timeMillis = null;
        Map<String, Double> metrics = null;
        Set<String> seen = new HashSet<>();
        beginObject(json, "a record");
        while (json.hasNext()) {
            String name = json.nextName();
            if (!seen.add(name)) {
                throw new IllegalArgumentException("field \"" + name + "\" appears twice");
            }
            switch (name) {
                case "step" -> step = longField(json, name);
                case "epoch" -> epoch = epoch(longField(json, name));
                case "kind" -> kind = MetricsRecord.Kind.fromJsonName(string(json, name));
                case "time_ms" -> timeMillis = longField(json, name);
                case "metrics" -> metrics = metrics(json);
                default -> throw new IllegalArgumentException(
                        "unknown field \"" + name + "\" (expected step, epoch, kind, time_ms, metrics)");
            }
        }
        json.endObject();
        // Strict mode refuses a second value with a generic error; lenient peeking names it.
        json.setStrictness(Strictness.LENIENT);
        if (json.peek() != JsonToken.END_DOCUMENT) {
            throw new IllegalArgumentException("expected one JSON object per line, got more after it");
        }
        require(step, "step");
        require(epoch, "epoch");
        require(kind, "kind");
        require(timeMillis, "time_ms");
        require(metrics, "metrics");
        return new MetricsRecord(step, epoch, kind, timeMillis, metrics);
    }

    private static Map<String, Double> metrics(JsonReader json) throws IOException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        beginObject(json, "metrics");
        while (json.hasNext()) {
            String name = json.nextName();
            JsonToken token = json.peek();
            double value;
            if (token == JsonToken.NUMBER) {
                value = Double.parseDouble(json.nextString());
            } else if (token == JsonToken.STRING) {
                String text = json.nextString();
                value = switch (text) {
                    case "NaN" -> Double.NaN;
                    case "Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> throw new IllegalArgumentException("metric \"" + name
                            + "\" must be a number, \"NaN\", \"Infinity\" or \"-Infinity\", got \"" + text + "\"");
                };
            } else {
                throw new IllegalArgumentException("metric \"" + name + "\" must be a number, got " + token);
            }
            if (metrics.put(name, value) != null) {
                throw new IllegalArgumentException("metric \"" + name + "\" appears twice");
            }
        }
        json.endObject();
        return metrics;
    }

    private static void beginObject(JsonReader json, String what) throws IOException {
        JsonToken token = json.peek();
        if (token != JsonToken.BEGIN_OBJECT) {
            throw new IllegalArgumentException(what + " must be a JSON object, got " + token);
        }
        json.beginObject();
    }

    private static long longField(JsonReader json, String field) throws IOException {
        JsonToken token = json.peek();
        if (token != JsonToken.NUMBER) {
            throw new IllegalArgumentException(field + " must be an integer, got " + token);
        }
        String text = json.nextString();
        try {
            return new BigDecimal(text).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + " must be a 64-bit integer, got " + text, e);
        }
    }

    private static int epoch(long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epoch must be a 32-bit integer, got " + value);
        }
        return (int) value;
    }

    private static String string(JsonReader json, String field) throws IOException {
        JsonToken token = json.peek();
        if (token != JsonToken.STRING) {
            throw new IllegalArgumentException(field + " must be a string, got " + token);
        }
        return json.nextString();
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing field \"" + field + "\"");
        }
    }

    private static void dropUnterminatedLastLine(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long end = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < size) {
                LOG.warn("metrics history {}: dropping an unterminated last line of {} bytes (a crash during a write)", file, size - end);
                channel.truncate(end);
            }
        }
    }
}
