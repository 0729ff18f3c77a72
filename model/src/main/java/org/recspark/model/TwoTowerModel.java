package org.recspark.model;

/**
 * A model that scores a (user, item) pair by the inner product of a user embedding and an item
 * embedding (DSSM), so that one GEMM ranks a whole item corpus for many users. Its forward pass
 * puts both embeddings, one row per input row, in its output's extras {@value #USER_EMBEDDING} and
 * {@value #ITEM_EMBEDDING}; a higher inner product means a higher pair score.
 */
public interface TwoTowerModel extends Model {
    String USER_EMBEDDING = "user_embedding";
    String ITEM_EMBEDDING = "item_embedding";

    /** The sparse feature whose first id identifies a row's item, or -1 when the item tower has none. */
    int itemKeyFeature();
}
