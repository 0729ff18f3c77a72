package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
    @TempDir
    Path dir;

    @Test
    void readsRowsInHeaderOrderAndKeyedInFileOrder() throws Exception {
        Path file = write("t.csv", "id;name;tags\nb;Bee;x|y\na;Ant;\n\n");
        List<Map<String, String>> rows = new ArrayList<>();
        assertEquals(List.of("id", "name", "tags"), CsvTable.forEachRow(file, ";", List.of("name"), rows::add));
        assertEquals(List.of(Map.of("id", "b", "name", "Bee", "tags", "x|y"), Map.of("id", "a", "name", "Ant", "tags", "")), rows);
        assertEquals("{id=b, name=Bee, tags=x|y}", rows.get(0).toString());
        assertEquals(List.of("b", "a"), List.copyOf(CsvTable.readKeyed(file, ";", "id", List.of()).keySet()));
    }

    @Test
    void malformedFilesNameTheFileAndLine() throws Exception {
        assertMalformed(write("count.csv", "a,b\n1,2\n3\n"), List.of(), ":3: expected 2 columns [a, b], got 1");
        assertMalformed(write("missing.csv", "a,b\n1,2\n"), List.of("c"), ":1: missing columns [c] in header [a, b]");
        assertMalformed(write("duplicate-column.csv", "a,a\n1,2\n"), List.of(), ":1: duplicate 'a' column name in header [a, a]");
        assertMalformed(write("blank.csv", "a,b\n1,2\n\n3,4\n"), List.of(), ":3: blank line before more data at line 4");
        assertMalformed(write("empty.csv", ""), List.of(), ":1: empty file, expected a header line");
        Path duplicateKey = write("duplicate-key.csv", "a,b\n1,2\n3,4\n1,5\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvTable.readKeyed(duplicateKey, ",", "a", List.of()));
        assertEquals(duplicateKey + ":4: duplicate a '1'", e.getMessage());
    }

    private static void assertMalformed(Path file, List<String> requiredColumns, String expectedAfterFileName) {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> CsvTable.forEachRow(file, ",", requiredColumns, row -> { }));
        assertEquals(file + expectedAfterFileName, e.getMessage());
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
