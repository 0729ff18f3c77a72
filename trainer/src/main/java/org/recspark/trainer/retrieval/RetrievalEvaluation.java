package org.recspark.trainer.retrieval;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.recspark.evaluator.RankingMetric;
import org.recspark.model.Model;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranking metrics ({@link RankingMetric}) of a two-tower model over a {@link RetrievalCorpus}:
 * the model embeds every corpus item and every query user, {@link ExactTopK} ranks the whole
 * corpus for each user (its excluded items left out) and the metrics compare the top K with the
 * user's relevant items. Immutable; each call embeds with the model's current weights.
 */
public final class RetrievalEvaluation {
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalEvaluation.class);

    private final RetrievalCorpus corpus;
    private final List<RankingMetric> metrics;
    private final ExactTopK search;

    /** @param threads the threads ranking user blocks at once */
    public RetrievalEvaluation(RetrievalCorpus corpus, List<RankingMetric> metrics, int threads) {
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("no ranking metric to compute");
        }
        this.corpus = corpus;
        this.metrics = List.copyOf(metrics);
        this.search = new ExactTopK(threads);
    }

    public RetrievalCorpus corpus() {
        return corpus;
    }

    /** Every ranking metric by name, in the config's order. */
    public Map<String, Double> evaluate(TwoTowerModel model) {
        long started = System.nanoTime();
        Embeddings items = embed(model, corpus.itemRows(), TwoTowerModel.ITEM_EMBEDDING);
        Embeddings users = embed(model, corpus.userRows(), TwoTowerModel.USER_EMBEDDING);
        if (corpus.numUsers() > 0 && corpus.numItems() > 0 && items.dim() != users.dim()) {
            throw new IllegalStateException("the towers' embeddings differ in width: users " + users.dim() + ", items " + items.dim());
        }
        long embedded = System.nanoTime();
        int[][] rankings;
        if (corpus.numUsers() == 0 || corpus.numItems() == 0) {
            rankings = new int[corpus.numUsers()][0];
        } else {
            rankings = search.search(users.vectors(), items.vectors(), items.dim(), corpus.excluded(), RankingMetric.maxK(metrics)).items();
        }
        Map<String, Double> values = RankingMetric.compute(metrics, rankings, corpus.relevant());
        LOG.info("ranking metrics over {} items for {} users in {} s (embedding {} s, top-{} {} s)", corpus.numItems(),
                corpus.numUsers(), seconds(System.nanoTime() - started), seconds(embedded - started), RankingMetric.maxK(metrics),
                seconds(System.nanoTime() - embedded));
        return values;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
    }

    /** Row-major vectors, {@code dim} floats per row. */
    public record Embeddings(float[] vectors, int dim) {}

    /** The model's {@code extra} output (a tower's embedding) for every row of the chunks, in order. */
    public static Embeddings embed(Model model, List<Examples> chunks, String extra) {
        int rows = chunks.stream().mapToInt(Examples::numRows).sum();
        float[] out = null;
        int dim = 0;
        int offset = 0;
        for (Examples chunk : chunks) {
            Tensor t = model.forward(Pass.inference(chunk)).extra(extra);
            if (out == null) {
                dim = t.cols();
                out = new float[rows * dim];
            }
            System.arraycopy(t.data(), 0, out, offset, chunk.numRows() * dim);
            offset += chunk.numRows() * dim;
        }
        return new Embeddings(out == null ? new float[0] : out, dim);
    }
}
