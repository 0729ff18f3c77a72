package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A field holding the delimiter, a quote or a line break round-trips through {@link CsvRecords#line}
 * and {@link CsvRecords#forEach}; anything a reader would have to guess about is an error naming the
 * file and line, never a shifted column.
 */
class CsvRecordsTest {
    @TempDir
    Path dir;

    @Test
    void fieldsWithDelimitersQuotesAndLineBreaksRoundTrip() throws Exception {
        List<List<String>> records = List.of(
                List.of("id", "name", "note"),
                List.of("1", "Smith, John", "said \"hi\""),
                List.of("2", "two\nlines", ""),
                List.of("3", "\"", "a;b"),
                List.of("4", "", "\uFEFFstarts with a mark"));
        StringBuilder text = new StringBuilder();
        records.forEach(r -> text.append(CsvRecords.line(r, ",")));
        Path file = Files.writeString(dir.resolve("quoted.csv"), text.toString(), StandardCharsets.UTF_8);

        List<List<String>> read = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        CsvRecords.forEach(file, ",", (fields, line) -> {
            read.add(fields);
            lines.add(line);
        });
        assertEquals(records, read);
        assertEquals(List.of(1L, 2L, 3L, 5L, 6L), lines, "each record is numbered by its first line");
    }

    @Test
    void aByteOrderMarkAndCrlfLineEndsAreRead() throws Exception {
        Path file = Files.writeString(dir.resolve("bom.csv"), "\uFEFFa;b\r\n\"x;y\";2\r\n", StandardCharsets.UTF_8);
        List<List<String>> read = new ArrayList<>();
        CsvRecords.forEach(file, ";", (fields, line) -> read.add(fields));
        assertEquals(List.of(List.of("a", "b"), List.of("x;y", "2")), read);
    }

    @Test
    void whatAReaderWouldHaveToGuessIsAnErrorNamingFileAndLine() throws Exception {
        assertMalformed("a,b\n1,x\"y\n", ":2: field 2 ('x\"y') has a quote but does not start with one");
        assertMalformed("a,b\n1,\"x\"y\n", ":2: field 2: text after its closing quote ('y')");
        assertMalformed("a,b\n1,2\n3,\"open\n4,5\n", ":3: a quoted field of this record is never closed");
        assertMalformed("a,b\n1,2\n\n3,4\n", ":3: blank line before more data at line 4");
    }

    @Test
    void bytesThatAreNotUtf8AreAnErrorNamingTheFile() throws Exception {
        Path file = dir.resolve("latin1.csv");
        Files.write(file, "a,b\n1,Jos\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvRecords.forEach(file, ",", (f, l) -> { }));
        assertTrue(e.getMessage().startsWith(file + ":1: not UTF-8 text"), e.getMessage());
    }

    @Test
    void aTableWithQuotedFieldsKeepsEveryColumnInPlace() throws Exception {
        Path file = Files.writeString(dir.resolve("users.csv"), "user_id,city,age\nu1,\"Paris, France\",30\n");
        assertEquals(List.of(java.util.Map.of("user_id", "u1", "city", "Paris, France", "age", "30")),
                List.copyOf(CsvTable.readKeyed(file, ",", "user_id", List.of("city", "age")).values()));
    }

    @Test
    void oneRecordGivenAsTextIsReadByTheSameRules() {
        assertEquals(List.of("u1", "Paris, France", "two\nlines", ""), CsvRecords.fields("u1,\"Paris, France\",\"two\nlines\",", ","));
        DataFormatException open = assertThrows(DataFormatException.class, () -> CsvRecords.fields("u1,\"open", ","));
        assertEquals("a quoted field of this record is never closed (no matching '\"' before the end of the input)", open.problem());
        DataFormatException two = assertThrows(DataFormatException.class, () -> CsvRecords.fields("a,b\nc,d", ","));
        assertEquals("holds 2 records, not one", two.problem());
    }

    private void assertMalformed(String content, String expectedAfterFileName) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvRecords.forEach(file, ",", (f, l) -> { }));
        assertTrue(e.getMessage().startsWith(file + expectedAfterFileName), e.getMessage());
    }
}
