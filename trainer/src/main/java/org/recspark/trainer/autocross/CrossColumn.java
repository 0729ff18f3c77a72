package org.recspark.trainer.autocross;

/**
 * One categorical column of a cross search (a field or a cross of fields) as dense codes: training
 * codes in [0, cardinality), validation codes the same or -1 for a value no training row has.
 */
record CrossColumn(int[] train, int[] validation, int cardinality) {}
