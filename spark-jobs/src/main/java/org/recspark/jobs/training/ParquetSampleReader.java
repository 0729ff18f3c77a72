package org.recspark.jobs.training;

import java.io.IOException;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.recspark.config.proto.InputConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.trainer.data.PackedRow;
import org.recspark.trainer.data.PackedRowBuilder;

/**
 * Decodes row groups of the sample job's Parquet into packed rows, keeping the rows a split
 * selects, one record at a time: a row group's compressed pages of the needed columns are in memory
 * while it is read, never more than one decoded row. Thread-safe (each read opens its own file).
 */
final class ParquetSampleReader {
    private final Configuration conf;
    private final FeatureSchema schema;
    private final InputConfig input;

    ParquetSampleReader(Configuration conf, FeatureSchema schema, InputConfig input) {
        this.conf = conf;
        this.schema = schema;
        this.input = input;
    }

    /** Passes the row group's selected rows, in their stored order, to {@code sink}. */
    void read(SampleRowGroup group, RowSelection selection, PackedRowBuilder builder, Consumer<PackedRow> sink) throws IOException {
        try (RowGroupFile file = RowGroupFile.open(conf, group)) {
            MessageType projection = SampleRecordConverter.projection(file.fileSchema(), schema, input, selection.selectedBy());
            SampleRecordConverter converter = new SampleRecordConverter(projection, schema, input, selection.selectedBy(), builder);
            RecordReader<Object> records = file.records(projection, converter);
            RowSelection.RowFilter filter = selection.open(group);
            for (long r = 0; r < group.rows(); r++) {
                builder.reset();
                records.read();
                if (filter.keep(converter.selectionValue(), builder.groupKey())) {
                    sink.accept(builder.build());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(group.file() + ": " + e.getMessage(), e);
        }
    }

    /** How many of the row group's rows the selection takes; reads its selection column only, and only when it has one. */
    static long countSelected(Configuration conf, SampleRowGroup group, RowSelection selection) throws IOException {
        RowSelection.RowFilter filter = selection.open(group);
        long selected = 0;
        if (selection.selectedBy().isEmpty()) {
            for (long r = 0; r < group.rows(); r++) {
                selected += filter.keep(Double.NaN, 0) ? 1 : 0;
            }
            return selected;
        }
        try (RowGroupFile file = RowGroupFile.open(conf, group)) {
            MessageType projection = SampleRecordConverter.selectionProjection(file.fileSchema(), selection.selectedBy().get(), selection.perUser());
            SampleRecordConverter converter = SampleRecordConverter.selectionOnly(projection, selection.selectedBy().get());
            RecordReader<Object> records = file.records(projection, converter);
            for (long r = 0; r < group.rows(); r++) {
                records.read();
                selected += filter.keep(converter.selectionValue(), converter.groupKey()) ? 1 : 0;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(group.file() + ": " + e.getMessage(), e);
        }
        return selected;
    }
}
