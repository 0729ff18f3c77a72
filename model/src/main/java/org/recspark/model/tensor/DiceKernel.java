package org.recspark.model.tensor;

import java.util.Arrays;

/**
 * DICE's math on plain arrays (rows x n, row-major, of which only the first rows * n values are
 * read or written, so the arrays may be reused buffers longer than that): one forward pass that
 * computes the batch statistics, the gate and the output, and a backward pass that remembers the
 * forward's per-column vectors. Shared by {@link Graph#dice} and DIN's fused attention MLP.
 *
 * <p>DICE runs over tiles of whole rows of about {@value #TILE} floats, with its per-column vectors
 * repeated to the tile's length, so that each pass is one long SIMD loop rather than a short loop
 * per row (64 or 32 units in DIN's attention unit). Its per-column gradient sums accumulate per
 * tile slot in float and are folded into double every {@value #BLOCKS_PER_SUM} tiles, which keeps
 * the precision of a double sum over tens of thousands of positions.
 */
final class DiceKernel {
    private static final int TILE = 1024;
    private static final int BLOCKS_PER_SUM = 32;

    private final int rows;
    private final int n;
    private final int tile;
    private final boolean batchStatistics;
    private final float[] centerTile;
    private final float[] invStdTile;
    private final float[] alphaTile;
    private final float[] ungatedTile;

    private DiceKernel(int rows, int n, boolean batchStatistics, float[] center, float[] invStd, float[] alpha) {
        this.rows = rows;
        this.n = n;
        this.tile = Math.max(1, TILE / n) * n;
        this.batchStatistics = batchStatistics;
        float[] ungated = new float[n];
        for (int j = 0; j < n; j++) {
            ungated[j] = 1 - alpha[j];
        }
        this.centerTile = tiled(center, tile);
        this.invStdTile = tiled(invStd, tile);
        this.alphaTile = tiled(alpha, tile);
        this.ungatedTile = tiled(ungated, tile);
    }

    /**
     * y = x * (alpha + (1 - alpha) * sigmoid(BN(x))) into {@code y}, the sigmoid into {@code gate};
     * in training with the batch's statistics (reported to {@code batchMean} and {@code batchVar}),
     * otherwise with the running ones. Returns what the backward pass needs besides x and the gate.
     */
    static DiceKernel forward(boolean training, float[] x, int rows, int n, float[] alpha, float[] runningMean, float[] runningVar,
                              float eps, float[] batchMean, float[] batchVar, float[] gate, float[] y) {
        float[] center = new float[n];
        float[] invStd = new float[n];
        boolean batchStatistics = training && rows > 0;
        if (batchStatistics) {
            ColumnMoments moments = ColumnMoments.of(x, rows, n);
            for (int j = 0; j < n; j++) {
                center[j] = (float) moments.mean()[j];
                invStd[j] = (float) (1 / Math.sqrt(moments.variance()[j] + eps));
            }
            moments.report(batchMean, batchVar, rows);
        } else {
            for (int j = 0; j < n; j++) {
                center[j] = runningMean[j];
                invStd[j] = (float) (1 / Math.sqrt(runningVar[j] + eps));
            }
            if (training) {
                // an empty batch has no statistics: it reports the running ones, which leaves them as they are
                System.arraycopy(runningMean, 0, batchMean, 0, n);
                System.arraycopy(runningVar, 0, batchVar, 0, n);
            }
        }
        DiceKernel kernel = new DiceKernel(rows, n, batchStatistics, center, invStd, alpha);
        kernel.apply(x, gate, y);
        return kernel;
    }

    private void apply(float[] xd, float[] gate, float[] y) {
        int length = rows * n;
        for (int start = 0; start < length; start += tile) {
            int m = Math.min(tile, length - start);
            for (int t = 0; t < m; t++) {
                gate[start + t] = (xd[start + t] - centerTile[t]) * invStdTile[t];
            }
            for (int t = 0; t < m; t++) {
                gate[start + t] = RationalTanh.logistic(gate[start + t]);
            }
            for (int t = 0; t < m; t++) {
                y[start + t] = xd[start + t] * (alphaTile[t] + ungatedTile[t] * gate[start + t]);
            }
        }
    }

    /**
     * From dy, adds alpha's gradient to {@code dAlpha} (null: none) and writes x's to {@code dx}
     * (null: none), added to its values when {@code accumulate}, else overwriting them; dx may be dy
     * itself when not accumulating (each value of dy is read before its dx is written).
     *
     * <p>The gradient with respect to the normalised x, dy * x * (1 - alpha) * g * (1 - g), is
     * needed by both passes; it is recomputed per value from dy, x and the gate, which the second pass
     * reads anyway, rather than written to an activation-sized array in the first pass and read back
     * in the second: both passes are bound by memory traffic, not arithmetic. Each pass is one loop
     * per tile that loads dy, x and the gate once and keeps its intermediates in registers (the same
     * float operations in the same order as one loop per term, without storing and reloading the
     * intermediates; the forward pass keeps a loop per term, since its logistic in one loop with the
     * rest measured slower).
     */
    void backward(float[] xd, float[] gate, float[] dy, float[] dAlpha, float[] dx, boolean accumulate) {
        int length = rows * n;
        float[] alphaSum = new float[tile];
        float[] dSum = new float[tile];
        float[] dNormalizedSum = new float[tile];
        double[] totals = new double[3 * n];
        for (int start = 0, block = 1; start < length; start += tile, block++) {
            int m = Math.min(tile, length - start);
            for (int t = 0; t < m; t++) {
                float x = xd[start + t];
                float g = gate[start + t];
                float dxy = dy[start + t] * x;
                alphaSum[t] += dxy * (1 - g);
                float dNormalized = dxy * (ungatedTile[t] * g * (1 - g));
                dSum[t] += dNormalized;
                dNormalizedSum[t] += dNormalized * ((x - centerTile[t]) * invStdTile[t]);
            }
            if (block % BLOCKS_PER_SUM == 0 || start + tile >= length) {
                addColumnSums(alphaSum, totals, 0, n);
                addColumnSums(dSum, totals, n, n);
                addColumnSums(dNormalizedSum, totals, 2 * n, n);
            }
        }
        if (dAlpha != null) {
            for (int j = 0; j < n; j++) {
                dAlpha[j] += (float) totals[j];
            }
        }
        if (dx == null) {
            return;
        }
        float[] meanD = new float[n];
        float[] meanDNormalized = new float[n];
        for (int j = 0; j < n && rows > 0 && batchStatistics; j++) {
            meanD[j] = (float) (totals[n + j] / rows);
            meanDNormalized[j] = (float) (totals[2 * n + j] / rows);
        }
        float[] meanDTile = tiled(meanD, tile);
        float[] meanDNormalizedTile = tiled(meanDNormalized, tile);
        for (int start = 0; start < length; start += tile) {
            int m = Math.min(tile, length - start);
            if (accumulate) {
                for (int t = 0; t < m; t++) {
                    dx[start + t] = dx[start + t] + through(xd, gate, dy, start, t) + viaStatistics(xd, gate, dy, start, t, meanDTile,
                            meanDNormalizedTile);
                }
            } else {
                for (int t = 0; t < m; t++) {
                    dx[start + t] = through(xd, gate, dy, start, t) + viaStatistics(xd, gate, dy, start, t, meanDTile,
                            meanDNormalizedTile);
                }
            }
        }
    }

    /** x's gradient through the gate's factor alone: dy * (alpha + (1 - alpha) * g), at tile slot t from {@code start}. */
    private float through(float[] xd, float[] gate, float[] dy, int start, int t) {
        return dy[start + t] * (alphaTile[t] + ungatedTile[t] * gate[start + t]);
    }

    /** x's gradient through the gate's input and the batch statistics, at tile slot t from {@code start}. */
    private float viaStatistics(float[] xd, float[] gate, float[] dy, int start, int t, float[] meanDTile, float[] meanDNormalizedTile) {
        float x = xd[start + t];
        float g = gate[start + t];
        float dNormalized = dy[start + t] * x * (ungatedTile[t] * g * (1 - g));
        float normalized = (x - centerTile[t]) * invStdTile[t];
        return invStdTile[t] * (dNormalized - meanDTile[t] - normalized * meanDNormalizedTile[t]);
    }

    /** The row vector v repeated to fill {@code tile} floats (a whole number of rows). */
    private static float[] tiled(float[] v, int tile) {
        float[] out = new float[tile];
        for (int o = 0; o < tile; o += v.length) {
            System.arraycopy(v, 0, out, o, v.length);
        }
        return out;
    }

    /** Folds a tile of per-slot float sums into per-column double totals at {@code offset} and clears the tile. */
    private static void addColumnSums(float[] tileSums, double[] totals, int offset, int n) {
        for (int o = 0; o < tileSums.length; o += n) {
            for (int j = 0; j < n; j++) {
                totals[offset + j] += tileSums[o + j];
            }
        }
        Arrays.fill(tileSums, 0f);
    }
}
