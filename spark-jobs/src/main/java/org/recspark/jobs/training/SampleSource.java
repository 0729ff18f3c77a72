package org.recspark.jobs.training;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where one split's rows are: the Parquet row groups holding them (in the Spark scan's order) and
 * the rule that selects them, with the selected row count of each group known before any row is
 * read. What a worker needs to stream the split; serializable to ship to Spark tasks.
 */
public record SampleSource(List<SampleRowGroup> rowGroups, RowSelection selection) implements Serializable {
    public SampleSource {
        rowGroups = List.copyOf(rowGroups);
    }

    public long numRows() {
        return rowGroups.stream().mapToLong(SampleRowGroup::selectedRows).sum();
    }

    /**
     * The row groups spread over {@code workers} so their row counts are balanced: the largest group
     * first, each to the worker with the fewest rows so far (the lower rank among equals), then each
     * worker's groups in the scan's order. The same on every call.
     */
    public List<SampleSource> assign(int workers) {
        List<Integer> bySize = new ArrayList<>();
        for (int i = 0; i < rowGroups.size(); i++) {
            bySize.add(i);
        }
        bySize.sort(Comparator.comparingLong((Integer i) -> -rowGroups.get(i).selectedRows()).thenComparingInt(i -> i));
        long[] load = new long[workers];
        List<List<Integer>> shares = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            shares.add(new ArrayList<>());
        }
        for (int i : bySize) {
            int least = 0;
            for (int w = 1; w < workers; w++) {
                if (load[w] < load[least]) {
                    least = w;
                }
            }
            load[least] += rowGroups.get(i).selectedRows();
            shares.get(least).add(i);
        }
        List<SampleSource> out = new ArrayList<>();
        for (List<Integer> share : shares) {
            share.sort(Comparator.naturalOrder());
            out.add(new SampleSource(share.stream().map(rowGroups::get).toList(), selection));
        }
        return out;
    }
}
