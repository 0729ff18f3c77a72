package org.recspark.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.InputConfig;
import org.recspark.features.RawRecord;

/** Table snapshots (items, users) in CSV and Parquet: typed values, and every bad row named by file, line and field. */
class TableSnapshotTest {
    @TempDir
    Path dir;

    private static InputConfig input(String format, String extra) {
        return ConfigParser.parseText("""
                input_config {
                  samples { source { path: "s" } schema { name: "item_id" } }
                  items {
                    source { path: "items" format: %s }
                    schema { name: "item_id" type: INT64 nullable: false }
                    schema { name: "category" type: STRING }
                    schema { name: "quality" type: DOUBLE }
                    %s
                  }
                  labels { name: "click" }
                }
                """.formatted(format, extra), "test.pbtxt").getInputConfig();
    }

    private Map<String, RawRecord> readCsv(String extra, String... lines) throws IOException {
        Path file = dir.resolve("items.csv");
        Files.write(file, List.of(lines));
        return TableSnapshot.items(file.toString(), input("CSV", extra)).read();
    }

    @Test
    void csvValuesAreTypedByTheSchema() throws Exception {
        Map<String, RawRecord> rows = readCsv("", "item_id,category,quality", "7,\"c1,c2\",0.5", "8,,");
        assertEquals(List.of("7", "8"), List.copyOf(rows.keySet()));
        assertEquals(7L, rows.get("7").get("item_id"));
        assertEquals("c1,c2", rows.get("7").get("category"));
        assertEquals(0.5, rows.get("7").get("quality"));
        assertNull(rows.get("8").get("category"), "an empty field is missing");
    }

    @Test
    void badCsvRowsAreNamedByFileLineAndField() {
        IOException e = assertThrows(IOException.class, () -> readCsv("", "item_id,category,quality", "7,c1,high"));
        assertTrue(e.getMessage().endsWith("items.csv line 2 field 'quality': 'high' is not a DOUBLE value"), e.getMessage());
        e = assertThrows(IOException.class, () -> readCsv("", "item_id,category,quality", "7,c1"));
        assertTrue(e.getMessage().endsWith("items.csv line 2: 2 fields where the header has 3"), e.getMessage());
        e = assertThrows(IOException.class, () -> readCsv("", "item_id,category,quality", ",c1,0.1"));
        assertTrue(e.getMessage().endsWith("items.csv row 1: field 'item_id' is missing and its schema says nullable: false"),
                e.getMessage());
        e = assertThrows(IOException.class, () -> readCsv("", "item_id,category,quality", "7,c1,0.1", "7,c2,0.2"));
        assertTrue(e.getMessage().contains("items.csv row 2: id '7' appears twice (first in ")
                && e.getMessage().endsWith("input_config.items.on_duplicate_key is FAIL"), e.getMessage());
    }

    @Test
    void duplicatePoliciesOtherThanFail() throws Exception {
        Map<String, RawRecord> first = readCsv("on_duplicate_key: KEEP_FIRST", "item_id,category,quality", "7,c1,0.1", "7,c2,0.2", "8,c3,0.3");
        assertEquals("c1", first.get("7").get("category"));
        Map<String, RawRecord> rejected = readCsv("on_duplicate_key: REJECT", "item_id,category,quality", "7,c1,0.1", "7,c2,0.2", "8,c3,0.3");
        assertEquals(List.of("8"), List.copyOf(rejected.keySet()));
    }

    @Test
    void parquetSnapshotsAsSparkWritesThem() throws Exception {
        MessageType schema = MessageTypeParser.parseMessageType("""
                message spark_schema {
                  required int64 item_id;
                  optional binary category (STRING);
                  optional double quality;
                  optional int32 stock;
                  optional group tags (LIST) { repeated group list { optional binary element (STRING); } }
                }
                """);
        Path snapshot = dir.resolve("items_parquet");
        Files.createDirectories(snapshot);
        Files.writeString(snapshot.resolve("_SUCCESS"), "");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(snapshot.resolve("part-0.parquet").toUri()))
                .withConf(new Configuration()).withType(schema).build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            Group a = groups.newGroup().append("item_id", 7L).append("category", "c1").append("quality", 0.5).append("stock", 3);
            Group tags = a.addGroup("tags");
            tags.addGroup("list").append("element", "new");
            tags.addGroup("list").append("element", "sale");
            writer.write(a);
            writer.write(groups.newGroup().append("item_id", 8L));
        }
        Map<String, RawRecord> rows = TableSnapshot.items(snapshot.toString(), input("PARQUET", "")).read();
        assertEquals(List.of("7", "8"), List.copyOf(rows.keySet()));
        RawRecord a = rows.get("7");
        assertEquals(7L, a.get("item_id"));
        assertEquals("c1", a.get("category"));
        assertEquals(0.5, a.get("quality"));
        assertEquals(3L, a.get("stock"));
        assertEquals(List.of("new", "sale"), a.get("tags"));
        assertNull(rows.get("8").get("category"));
        assertTrue(TableSnapshot.items(snapshot.toString(), input("PARQUET", "")).stamp().startsWith("part-0.parquet:"),
                "the stamp lists the data files, not _SUCCESS");
    }

    @Test
    void aMissingSnapshotOrAnotherFormatIsRefused() {
        IOException e = assertThrows(IOException.class, () -> TableSnapshot.items(dir.resolve("none").toString(), input("CSV", "")).read());
        assertTrue(e.getMessage().endsWith("none does not exist"), e.getMessage());
        IllegalArgumentException orc = assertThrows(IllegalArgumentException.class, () -> TableSnapshot.items("x", input("ORC", "")));
        assertTrue(orc.getMessage().startsWith("input_config.items.source.format: the server reads CSV or PARQUET"), orc.getMessage());
    }
}
