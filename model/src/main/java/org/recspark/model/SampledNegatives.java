package org.recspark.model;

import org.recspark.model.data.Examples;
import org.recspark.model.sampling.ItemCorpus;

/**
 * A training objective that scores positives against negative items drawn from the training rows'
 * items, or from an item table (DSSM with a negative_sampler). Before the first step the trainer reads the training rows
 * once into the model's {@link #newItemCorpus() collector} and hands the corpus over; each step's
 * {@link TrainingObjective#beforeStep} then draws the step's negatives, whose embedding rows the
 * trainer allocates (as it does the batch's) before the shards' passes read them.
 */
public interface SampledNegatives {
    /** Whether negatives are sampled at all; when false no other method is called. */
    boolean samplesNegatives();

    /** Whether the items are an item table's ({@link #useItemTable}) rather than the training rows' alone. */
    boolean drawsFromItemTable();

    /**
     * The item table's rows (their item features computed as the samples' are), set before training
     * when {@link #drawsFromItemTable}: the collector starts with them, uncounted.
     */
    void useItemTable(Examples items);

    /** A collector of the items this model draws negatives from: empty, or holding the item table's. */
    ItemCorpus.Collector newItemCorpus();

    /** The corpus to draw from, set once before training. */
    void useItemCorpus(ItemCorpus corpus);

    /** Whether {@link #useItemCorpus} has been called. */
    boolean hasItemCorpus();

    /** The current step's negative items (after {@link TrainingObjective#beforeStep}), one row each. */
    Examples stepNegatives();

    /** Whether each user's hard negatives join the softmax of the user's rows (set by {@link #useHardNegatives}). */
    boolean usesHardNegatives();

    /**
     * The hard negatives, set before training when {@link #usesHardNegatives}: one row per (user,
     * item) pair, its group key the user's (as the samples' rows have it), its features the item's.
     */
    void useHardNegatives(Examples pairs);

    /** The current step's hard negative items (after {@link TrainingObjective#beforeStep}), one row each; null when none. */
    Examples stepHardNegatives();
}
