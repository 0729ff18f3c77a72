package org.recspark.trainer.eval;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.recspark.config.proto.run.TrainingSummary;
import org.recspark.storage.AtomicFile;

/**
 * A run's {@code summary.json}: a {@link TrainingSummary} in protobuf's JSON mapping under the
 * proto field names, so its keys are the message's snake_case field names. Readers parse it back
 * into the message rather than picking keys out of the JSON.
 */
public final class RunSummaryFile {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private RunSummaryFile() {
    }

    /** The summary as JSON text (what {@link #write} writes). */
    public static String toJson(TrainingSummary summary) {
        try {
            return PRINTER.print(summary) + "\n";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print the run summary as JSON", e);
        }
    }

    /** Writes the summary to {@code file} atomically (temp file then rename). */
    public static void write(Path file, TrainingSummary summary) {
        try {
            AtomicFile.writeString(file, toJson(summary));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads a summary.json; an unreadable or malformed file is an error naming it. */
    public static TrainingSummary read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the run summary " + file, e);
        }
    }

    /**
     * Parses summary JSON text (strictly: unknown keys are errors).
     *
     * @param source where the text came from, for the error message
     */
    public static TrainingSummary parse(String json, String source) {
        TrainingSummary.Builder b = TrainingSummary.newBuilder();
        try {
            PARSER.merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the run summary " + source + " is not a TrainingSummary in JSON: " + e.getMessage(), e);
        }
        return b.build();
    }
}
