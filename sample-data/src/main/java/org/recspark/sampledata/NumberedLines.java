package org.recspark.sampledata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file line by line with 1-based line numbers, for the strict readers of this module.
 * Blank lines are only allowed at the end of a file (MovieLens' u.genre ends with one); a blank
 * line followed by more data is a {@link DataFormatException}, so nothing is skipped silently.
 */
final class NumberedLines {

    /** Receives one non-blank line. */
    @FunctionalInterface
    interface LineHandler {
        void accept(String line, long lineNumber);
    }

    private NumberedLines() {}

    private static String readLine(BufferedReader reader, Path file, Charset charset, long lineNumber) throws IOException {
        try {
            return reader.readLine();
        } catch (CharacterCodingException e) {
            // Decoding reads ahead, so the bytes are on this line or a little after it.
            throw new DataFormatException(file, lineNumber, "not " + charset + " text: bytes that do not decode (" + e
                    + ") on this line or within the next 8 KiB");
        }
    }

    static void forEach(Path file, Charset charset, LineHandler handler) {
        try (BufferedReader reader = Files.newBufferedReader(file, charset)) {
            String line;
            long number = 0;
            long firstBlank = 0;
            while ((line = readLine(reader, file, charset, number + 1)) != null) {
                number++;
                if (line.isBlank()) {
                    if (firstBlank == 0) {
                        firstBlank = number;
                    }
                    continue;
                }
                if (firstBlank != 0) {
                    throw new DataFormatException(file, firstBlank, "blank line before more data at line " + number);
                }
                handler.accept(line, number);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
