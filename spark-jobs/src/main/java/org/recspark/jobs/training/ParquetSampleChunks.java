package org.recspark.jobs.training;

import java.io.IOException;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.trainer.data.CachedRowChunks;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.PackedRow;
import org.recspark.trainer.data.PackedRowBatcher;
import org.recspark.trainer.data.PackedRowBuilder;
import org.recspark.trainer.data.RowChunkSource;
import org.recspark.trainer.data.RowLayout;
import org.recspark.trainer.data.StreamingEvaluationData;
import org.recspark.trainer.data.StreamingTrainingData;
import org.recspark.trainer.data.TrainingData;

/**
 * A split's Parquet row groups as the chunks the trainer's streams read: {@link #training} gives
 * the rows to train on, re-read and shuffled every epoch, {@link #evaluation} the held-out rows in
 * their stored order. Rows carry the user's group key (GAUC), as the in-memory reader's do.
 */
public final class ParquetSampleChunks implements RowChunkSource {
    private final SampleSource source;
    private final ParquetSampleReader reader;

    private ParquetSampleChunks(SampleSource source, ParquetSampleReader reader) {
        this.source = source;
        this.reader = reader;
    }

    /**
     * The training rows of a split (or of one worker's share of it), shuffled with the seed,
     * train_config.shuffle and shuffle_buffer_rows, held in memory after the first epoch when
     * train_config.input_cache is set.
     *
     * @param conf   the Hadoop configuration the files are opened with (the driver's, shipped to executors)
     * @param worker the data-parallel worker's rank (0 in one process)
     */
    public static TrainingData training(SampleSource source, Configuration conf, FeatureSchema schema, PipelineConfig config, int worker) {
        TrainConfig train = config.getTrainConfig();
        RowChunkSource chunks = chunks(source, conf, schema, config.getInputConfig());
        if (train.hasInputCache()) {
            chunks = new CachedRowChunks(chunks, train.getInputCache().getMaxBytes(), "worker " + worker);
        }
        return new StreamingTrainingData(chunks, batcher(schema, config.getInputConfig()),
                train.getSeed(), train.getShuffle(), train.getShuffleBufferRows(), worker);
    }

    /** The held-out rows of a split, in the scan's order. */
    public static EvaluationData evaluation(SampleSource source, Configuration conf, FeatureSchema schema, InputConfig input) {
        return new StreamingEvaluationData(chunks(source, conf, schema, input), batcher(schema, input));
    }

    private static ParquetSampleChunks chunks(SampleSource source, Configuration conf, FeatureSchema schema, InputConfig input) {
        return new ParquetSampleChunks(source, new ParquetSampleReader(conf, schema, input));
    }

    private static PackedRowBatcher batcher(FeatureSchema schema, InputConfig input) {
        return new PackedRowBatcher(new RowLayout(schema, input.getLabelsList().stream().map(LabelField::getName).toList()), true);
    }

    @Override
    public int numChunks() {
        return source.rowGroups().size();
    }

    @Override
    public long rows(int chunk) {
        return source.rowGroups().get(chunk).selectedRows();
    }

    @Override
    public void read(int chunk, PackedRowBuilder builder, Consumer<PackedRow> sink) throws IOException {
        reader.read(source.rowGroups().get(chunk), source.selection(), builder, sink);
    }
}
