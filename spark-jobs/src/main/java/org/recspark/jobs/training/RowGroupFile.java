package org.recspark.jobs.training;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * One row group of a Parquet file, open for reading some of its columns record by record, through
 * Hadoop's FileSystem (local paths, hdfs://, s3a://). Only the requested columns' pages are read.
 */
final class RowGroupFile implements Closeable {
    private final SampleRowGroup group;
    private final ParquetFileReader reader;
    private final int block;

    private RowGroupFile(SampleRowGroup group, ParquetFileReader reader, int block) {
        this.group = group;
        this.reader = reader;
        this.block = block;
    }

    /**
     * @throws IllegalStateException when the file no longer has the row group (the samples were rewritten since planning)
     */
    static RowGroupFile open(Configuration conf, SampleRowGroup group) throws IOException {
        Path path = new Path(URI.create(group.file()));
        ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf), HadoopReadOptions.builder(conf, path).build());
        try {
            var blocks = reader.getRowGroups();
            for (int i = 0; i < blocks.size(); i++) {
                BlockMetaData b = blocks.get(i);
                if (b.getStartingPos() == group.start()) {
                    if (b.getRowCount() != group.rows()) {
                        throw new IllegalStateException(group.file() + ": the row group at byte " + group.start() + " has " + b.getRowCount()
                                + " rows where " + group.rows() + " were planned: the samples changed while training read them");
                    }
                    return new RowGroupFile(group, reader, i);
                }
            }
            throw new IllegalStateException(group.file() + " has no row group at byte " + group.start()
                    + " any more: the samples changed while training read them");
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    MessageType fileSchema() {
        return reader.getFooter().getFileMetaData().getSchema();
    }

    /** A reader of the row group's records, projected on {@code projection}, each delivered to {@code root}. */
    RecordReader<Object> records(MessageType projection, GroupConverter root) throws IOException {
        reader.setRequestedSchema(projection);
        PageReadStore pages = reader.readRowGroup(block);
        RecordMaterializer<Object> materializer = new RecordMaterializer<>() {
            @Override
            public Object getCurrentRecord() {
                return group;
            }

            @Override
            public GroupConverter getRootConverter() {
                return root;
            }
        };
        return new ColumnIOFactory().getColumnIO(projection, fileSchema()).getRecordReader(pages, materializer);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
