package org.recspark.jobs.training;

import java.io.Serializable;

/**
 * One Parquet row group of the samples, as a split reads it.
 *
 * @param file             the file's URI
 * @param start            the row group's first byte in the file, which identifies it
 * @param rows             its rows
 * @param sparkPartition   the partition of the Spark scan that reads it
 * @param partitionOffset  how many rows that partition reads before this row group's first
 * @param selectedRows     how many of its rows the split selects
 */
public record SampleRowGroup(String file, long start, long rows, int sparkPartition, long partitionOffset, long selectedRows)
        implements Serializable {

    SampleRowGroup withSelectedRows(long selected) {
        return new SampleRowGroup(file, start, rows, sparkPartition, partitionOffset, selected);
    }
}
