package org.recspark.sampledata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records of a UTF-8 text file, read and written the way Spark's CSV source reads them
 * with {@code escape="\""}: a field holding the delimiter, a quote or a line break is enclosed in
 * quotes, with each quote inside doubled; lines end with LF or CRLF; a UTF-8 byte order mark at the
 * start is skipped. Anything else that a reader would have to guess about is a
 * {@link DataFormatException} naming the file and the record's first line: a quote inside an
 * unquoted field, text after a closing quote, a quote never closed, bytes that are not UTF-8.
 * Blank lines are only allowed at the end of a file, so nothing is skipped silently.
 */
public final class CsvRecords {
    private static final char QUOTE = '"';
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private CsvRecords() {}

    /** Receives one record's fields with the 1-based line on which the record starts. */
    @FunctionalInterface
    public interface RecordHandler {
        void accept(List<String> fields, long lineNumber);
    }

    /** Passes every record of {@code file} in order. */
    public static void forEach(Path file, String delimiter, RecordHandler handler) {
        if (delimiter.isEmpty()) {
            throw new IllegalArgumentException("the delimiter of " + file + " is empty");
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            new Parser(file.toString(), delimiter, reader, handler).run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The fields of one record given as text (its lines joined by LF), by the same rules as a file's
     * records; a malformed record, or text holding more than one record, is a {@link DataFormatException}
     * whose {@link DataFormatException#problem()} says what is wrong.
     */
    public static List<String> fields(String record, String delimiter) {
        List<List<String>> records = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new StringReader(record))) {
            new Parser("record", delimiter, reader, (fields, line) -> records.add(fields)).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (records.size() != 1) {
            throw new DataFormatException("record", 1, "holds " + records.size() + " records, not one");
        }
        return records.get(0);
    }

    /** One record as a line (ending in LF), each field quoted only when it must be. */
    public static String line(List<String> fields, String delimiter) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(delimiter);
            }
            out.append(quoted(fields.get(i), delimiter));
        }
        return out.append('\n').toString();
    }

    /** {@code field} as RFC 4180 writes it: quoted, quotes doubled, when it holds the delimiter, a quote or a line break. */
    public static String quoted(String field, String delimiter) {
        boolean plain = !field.contains(delimiter) && field.indexOf(QUOTE) < 0 && field.indexOf('\n') < 0
                && field.indexOf('\r') < 0 && (field.isEmpty() || field.charAt(0) != BYTE_ORDER_MARK);
        return plain ? field : QUOTE + field.replace("\"", "\"\"") + QUOTE;
    }

    /** The state of one pass over a file: the current line, the record under way. */
    private static final class Parser {
        private final String file;
        private final String delimiter;
        private final BufferedReader reader;
        private final RecordHandler handler;
        private long lineNumber;
        private long firstBlank;

        Parser(String file, String delimiter, BufferedReader reader, RecordHandler handler) {
            this.file = file;
            this.delimiter = delimiter;
            this.reader = reader;
            this.handler = handler;
        }

        void run() throws IOException {
            String line;
            while ((line = nextLine()) != null) {
                if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    if (firstBlank == 0) {
                        firstBlank = lineNumber;
                    }
                    continue;
                }
                if (firstBlank != 0) {
                    throw new DataFormatException(file, firstBlank, "blank line before more data at line " + lineNumber);
                }
                long start = lineNumber;
                handler.accept(record(line, start), start);
            }
        }

        private String nextLine() throws IOException {
            String line;
            try {
                line = reader.readLine();
            } catch (CharacterCodingException e) {
                // Decoding reads ahead, so the bytes are on this line or a little after it.
                throw new DataFormatException(file, lineNumber + 1, "not UTF-8 text: bytes that do not decode (" + e
                        + ") on this line or within the next 8 KiB; convert the file to UTF-8, e.g. iconv -f LATIN1 -t UTF-8");
            }
            if (line != null) {
                lineNumber++;
            }
            return line;
        }

        /** The fields of the record starting with {@code line}, reading further lines for quoted line breaks. */
        private List<String> record(String line, long start) throws IOException {
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            int i = 0;
            while (true) {
                if (i < line.length() && line.charAt(i) == QUOTE) {
                    i++;
                    while (true) {
                        int close = line.indexOf(QUOTE, i);
                        if (close < 0) {
                            // A line break inside quotes belongs to the field.
                            field.append(line, i, line.length()).append('\n');
                            line = nextLine();
                            if (line == null) {
                                throw new DataFormatException(file, start, "a quoted field of this record is never closed (no matching '\"' before the end of the input)");
                            }
                            i = 0;
                            continue;
                        }
                        field.append(line, i, close);
                        if (close + 1 < line.length() && line.charAt(close + 1) == QUOTE) {
                            field.append(QUOTE);
                            i = close + 2;
                            continue;
                        }
                        i = close + 1;
                        break;
                    }
                    if (i < line.length() && !line.startsWith(delimiter, i)) {
                        throw new DataFormatException(file, start, "field " + (fields.size() + 1) + ": text after its closing quote ('"
                                + line.substring(i, Math.min(line.length(), i + 20)) + "'); a quote inside a quoted field is written twice");
                    }
                } else {
                    int end = line.indexOf(delimiter, i);
                    String plain = line.substring(i, end < 0 ? line.length() : end);
                    if (plain.indexOf(QUOTE) >= 0) {
                        throw new DataFormatException(file, start, "field " + (fields.size() + 1) + " ('" + plain
                                + "') has a quote but does not start with one; quote the field and write the quote twice (RFC 4180)");
                    }
                    field.append(plain);
                    i = end < 0 ? line.length() : end;
                }
                fields.add(field.toString());
                field.setLength(0);
                if (i >= line.length()) {
                    return fields;
                }
                i += delimiter.length();
            }
        }
    }
}
