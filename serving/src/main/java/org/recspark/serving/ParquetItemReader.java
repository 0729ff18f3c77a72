package org.recspark.serving;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.recspark.storage.Locations;

/**
 * Reads a Parquet item snapshot (as Spark writes it) into records: integers as Long, floating
 * point as Float/Double, strings, booleans, lists (Spark's three-level LIST) as Lists and maps as
 * Maps, the values a Spark row hands the feature jar in build-samples. The file is read through
 * its {@code java.nio} path, so any location {@link Locations} opens (HDFS, S3) works.
 */
final class ParquetItemReader {
    private ParquetItemReader() {
    }

    static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new NioInputFile(file), ParquetReadOptions.builder().build())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long r = 0; r < pages.getRowCount(); r++) {
                    out.add(record(records.read(), Locations.uri(file)));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> record(Group group, String where) throws IOException {
        GroupType type = group.getType();
        Map<String, Object> out = new HashMap<>(type.getFieldCount() * 2);
        for (int i = 0; i < type.getFieldCount(); i++) {
            out.put(type.getFieldName(i), field(group, i, where));
        }
        return out;
    }

    private static Object field(Group group, int i, String where) throws IOException {
        Type type = group.getType().getType(i);
        int count = group.getFieldRepetitionCount(i);
        if (type.isRepetition(Type.Repetition.REPEATED)) {
            List<Object> values = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                values.add(single(group, i, k, type, where));
            }
            return values;
        }
        return count == 0 ? null : single(group, i, 0, type, where);
    }

    private static Object single(Group group, int i, int index, Type type, String where) throws IOException {
        if (type.isPrimitive()) {
            return primitive(group, i, index, type.asPrimitiveType());
        }
        Group nested = group.getGroup(i, index);
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            // LIST: repeated group list { element }
            List<Object> values = new ArrayList<>();
            for (int k = 0; k < nested.getFieldRepetitionCount(0); k++) {
                Group entry = nested.getGroup(0, k);
                values.add(entry.getFieldRepetitionCount(0) == 0 ? null : single(entry, 0, 0, entry.getType().getType(0), where));
            }
            return values;
        }
        if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
            // MAP: repeated group key_value { key, value }
            Map<Object, Object> values = new HashMap<>();
            for (int k = 0; k < nested.getFieldRepetitionCount(0); k++) {
                Group entry = nested.getGroup(0, k);
                Object value = entry.getFieldRepetitionCount(1) == 0 ? null : single(entry, 1, 0, entry.getType().getType(1), where);
                values.put(single(entry, 0, 0, entry.getType().getType(0), where), value);
            }
            return values;
        }
        throw new IOException(where + ": column '" + type.getName() + "' is a struct; the item cache reads scalars, lists and maps");
    }

    private static Object primitive(Group group, int i, int index, PrimitiveType type) throws IOException {
        return switch (type.getPrimitiveTypeName()) {
            case INT32 -> (long) group.getInteger(i, index);
            case INT64 -> group.getLong(i, index);
            case FLOAT -> group.getFloat(i, index);
            case DOUBLE -> group.getDouble(i, index);
            case BOOLEAN -> group.getBoolean(i, index);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> group.getString(i, index);
            case INT96 -> throw new IOException("column '" + type.getName() + "' is an INT96 timestamp; the item cache does not read it");
        };
    }

    /** A Parquet input file over a {@code java.nio} path. */
    private record NioInputFile(Path path) implements InputFile {
        @Override
        public long getLength() throws IOException {
            return Files.size(path);
        }

        @Override
        public SeekableInputStream newStream() throws IOException {
            SeekableByteChannel channel = Files.newByteChannel(path);
            return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
                @Override
                public long getPos() throws IOException {
                    return channel.position();
                }

                @Override
                public void seek(long newPos) throws IOException {
                    channel.position(newPos);
                }

                @Override
                public int read(ByteBuffer buf) throws IOException {
                    return channel.read(buf);
                }
            };
        }
    }
}
