package org.recspark.model.nn;

import java.util.Arrays;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * A layer input of N rows that share some of their columns (a 1 x N request: the user and context
 * features are the same for every item), held without repeating the shared ones. The shared
 * columns are one row of the full width with zeros at the per-row columns; the per-row columns are
 * an N x (c + 1) matrix whose last column is ones, where per-row column j is column
 * {@code rowColumns[j]} of the full input. The ones column lets a layer add its shared-columns'
 * term to every row inside the GEMM of the per-row columns (see {@link Linear#forwardSplit}).
 */
public record SplitInput(float[] sharedRow, Tensor rowColumns, int[] rowColumnIndices) {
    public SplitInput {
        if (rowColumns.cols() != rowColumnIndices.length + 1) {
            throw new IllegalArgumentException("per-row columns " + rowColumns + " need " + rowColumnIndices.length
                    + " columns and the ones column");
        }
    }

    /** An input of {@code width} columns and {@code rows} rows whose per-row columns are at {@code rowColumnIndices}, all zeros but the ones column. */
    public static SplitInput zeros(int width, int rows, int[] rowColumnIndices) {
        return zeros(width, rows, rowColumnIndices, null);
    }

    /** {@link #zeros(int, int, int[])} with the per-row matrix taken from {@code workspace} (null: allocated). */
    public static SplitInput zeros(int width, int rows, int[] rowColumnIndices, Workspace workspace) {
        int stride = rowColumnIndices.length + 1;
        float[] values = workspace == null ? new float[rows * stride] : workspace.takeZeroed(rows * stride);
        for (int r = 0; r < rows; r++) {
            values[r * stride + stride - 1] = 1f;
        }
        return new SplitInput(new float[width], Tensor.constant(rows, stride, values), rowColumnIndices);
    }

    public int width() {
        return sharedRow.length;
    }

    public int rows() {
        return rowColumns.rows();
    }

    /** The row stride of {@link #rowColumns()}: the per-row columns and the ones column. */
    public int stride() {
        return rowColumns.cols();
    }

    /** The ordinary N x width input: the shared row repeated, with each row's own columns in place. */
    public Tensor expanded() {
        int width = width();
        int rows = rows();
        int stride = stride();
        float[] own = rowColumns.data();
        float[] full = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(sharedRow, 0, full, r * width, width);
            for (int j = 0; j < rowColumnIndices.length; j++) {
                full[r * width + rowColumnIndices[j]] = own[r * stride + j];
            }
        }
        return Tensor.constant(rows, width, full);
    }

    @Override
    public String toString() {
        return "SplitInput[" + rows() + " x " + width() + ", per-row columns " + Arrays.toString(rowColumnIndices) + "]";
    }
}
