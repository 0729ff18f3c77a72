package org.recspark.jobs.retrieval;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.proto.InputConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.model.Model;
import org.recspark.model.data.Examples;
import org.recspark.trainer.retrieval.RetrievalEvaluation;

/**
 * One tower embedding per distinct raw key (a user id or an item id column) of a built samples
 * table, computed by the model from the key's newest row (by the time column; ties by the
 * table's order are broken by Spark's sort, so one row is taken). Rows are streamed to the driver
 * and embedded a chunk at a time; the keys and embeddings are held in the driver's heap.
 *
 * @param keys    the raw keys in ascending order, as the table holds them
 * @param keyType the key column's Spark type
 * @param vectors row-major, {@code dim} floats per key
 */
public record KeyedEmbeddings(List<Object> keys, DataType keyType, float[] vectors, int dim) {
    private static final int CHUNK = 4096;
    private static final String NEWEST = "_newest";

    /**
     * @param table what the rows are, for errors ("--users PATH")
     * @param tower the model's extra output to keep ({@code TwoTowerModel.USER_EMBEDDING} or {@code ITEM_EMBEDDING})
     */
    public static KeyedEmbeddings of(Dataset<Row> samples, String table, String keyColumn, InputConfig input, FeatureSchema schema,
                                     Model model, String tower) {
        List<String> columns = List.of(samples.columns());
        if (!columns.contains(keyColumn) || !columns.contains(input.getTimeField())) {
            throw new IllegalArgumentException(table + " needs the columns '" + keyColumn + "' and '" + input.getTimeField()
                    + "' (a table build-samples wrote); it has " + columns);
        }
        long nullKeys = samples.where(col("`" + keyColumn + "`").isNull()).count();
        if (nullKeys > 0) {
            throw new IllegalArgumentException(table + " has " + nullKeys + " rows without a " + keyColumn);
        }
        Dataset<Row> newest = samples
                .withColumn(NEWEST, row_number().over(Window.partitionBy(col("`" + keyColumn + "`")).orderBy(col("`" + input.getTimeField() + "`").desc())))
                .where(col(NEWEST).equalTo(1))
                .orderBy(col("`" + keyColumn + "`"));
        List<String> selected = new ArrayList<>(List.of(SampleTableReader.select(newest, input).columns()));
        if (!selected.contains(keyColumn)) {
            selected.add(keyColumn);
        }
        Dataset<Row> rows = newest.select(selected.stream().map(c -> col("`" + c + "`")).toArray(org.apache.spark.sql.Column[]::new));
        int keyIndex = selected.indexOf(keyColumn);
        DataType keyType = samples.schema().apply(keyColumn).dataType();
        List<Object> keys = new ArrayList<>();
        List<float[]> parts = new ArrayList<>();
        int dim = 0;
        Iterator<Row> it = rows.toLocalIterator();
        while (it.hasNext()) {
            SampleTableReader.Rows chunk = new SampleTableReader.Rows(schema, input);
            int n = 0;
            while (n < CHUNK && it.hasNext()) {
                Row row = it.next();
                keys.add(row.get(keyIndex));
                chunk.add(row);
                n++;
            }
            Examples examples = chunk.build();
            RetrievalEvaluation.Embeddings e = RetrievalEvaluation.embed(model, List.of(examples), tower);
            dim = e.dim();
            parts.add(e.vectors());
        }
        float[] vectors = new float[keys.size() * dim];
        int offset = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, vectors, offset, p.length);
            offset += p.length;
        }
        return new KeyedEmbeddings(List.copyOf(keys), keyType, vectors, dim);
    }

    public int size() {
        return keys.size();
    }

    /** The embeddings as rows of (key, embedding), the key column named {@code keyColumn}. */
    public Dataset<Row> toDataset(SparkSession spark, String keyColumn) {
        StructType schema = new StructType().add(keyColumn, keyType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        List<Row> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            float[] v = Arrays.copyOfRange(vectors, i * dim, (i + 1) * dim);
            Float[] boxed = new Float[dim];
            for (int j = 0; j < dim; j++) {
                boxed[j] = v[j];
            }
            out.add(RowFactory.create(keys.get(i), boxed));
        }
        return spark.createDataFrame(out, schema);
    }
}
