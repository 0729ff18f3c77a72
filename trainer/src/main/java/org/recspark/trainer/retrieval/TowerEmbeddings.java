package org.recspark.trainer.retrieval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.model.Model;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;
import org.recspark.storage.AtomicFile;

/**
 * Embeddings of a two-tower model's users or items for retrieval: one vector per distinct key (the
 * first id of a sparse feature, e.g. item_id), computed by the tower from the first row holding
 * that key, and their export as a text file for an approximate-nearest-neighbour index.
 *
 * @param keys    the distinct keys in first-seen order
 * @param vectors row-major, {@code dim} floats per key
 */
public record TowerEmbeddings(long[] keys, float[] vectors, int dim) {
    /** Keys and the first row that holds each, from a sparse feature's first id per row. */
    public static Map<Long, Integer> firstRowByKey(Examples examples, int keyFeature) {
        SparseValues values = examples.sparse(keyFeature);
        Map<Long, Integer> first = new LinkedHashMap<>();
        for (int r = 0; r < examples.numRows(); r++) {
            if (values.end(r) > values.start(r)) {
                first.putIfAbsent(values.ids()[values.start(r)], r);
            }
        }
        return first;
    }

    /**
     * Runs the model in inference mode over the first row of every key and keeps its {@code tower}
     * output ("user_embedding" or "item_embedding" for DSSM).
     */
    public static TowerEmbeddings compute(Model model, Examples examples, int keyFeature, String tower, int batchSize) {
        Map<Long, Integer> first = firstRowByKey(examples, keyFeature);
        long[] keys = new long[first.size()];
        int[] rows = new int[first.size()];
        int i = 0;
        for (Map.Entry<Long, Integer> e : first.entrySet()) {
            keys[i] = e.getKey();
            rows[i++] = e.getValue();
        }
        List<float[]> parts = new ArrayList<>();
        int dim = 0;
        for (int from = 0; from < rows.length; from += batchSize) {
            int to = Math.min(rows.length, from + batchSize);
            Examples batch = examples.select(java.util.Arrays.copyOfRange(rows, from, to));
            Tensor out = model.forward(Pass.inference(batch)).extra(tower);
            dim = out.cols();
            parts.add(out.data());
        }
        float[] vectors = new float[keys.length * dim];
        int offset = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, vectors, offset, p.length);
            offset += p.length;
        }
        return new TowerEmbeddings(keys, vectors, dim);
    }

    /** Writes "key TAB v1,v2,..." lines, replacing the file whole ({@link AtomicFile}). */
    public void write(Path file) {
        try {
            AtomicFile.write(file, out -> {
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                for (int k = 0; k < keys.length; k++) {
                    w.write(Long.toString(keys[k]));
                    w.write('\t');
                    for (int j = 0; j < dim; j++) {
                        if (j > 0) {
                            w.write(',');
                        }
                        w.write(Float.toString(vectors[k * dim + j]));
                    }
                    w.write('\n');
                }
                w.flush();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write embeddings to " + file, e);
        }
    }
}
