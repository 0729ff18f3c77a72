package org.recspark.hpo.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.recspark.hpo.Objective;
import org.recspark.hpo.space.Dimension;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.storage.AtomicFile;

/**
 * The results table, CSV (RFC 4180 quoting): one row per finished trial, in trial order, with
 * columns {@code trial}, one per searched path (the config text of its value), the objective metric
 * (named after it; empty for failed trials), {@code status}, {@code seconds}, {@code steps},
 * {@code stop_reason}, {@code error}, {@code run_dir}. Written to a temporary file and renamed into place.
 */
public final class ResultsTable {
    private ResultsTable() {}

    public static Path write(Path csv, List<Dimension> dimensions, Objective objective, Collection<TrialRecord> trials) throws IOException {
        List<String> header = new ArrayList<>();
        header.add("trial");
        dimensions.forEach(d -> header.add(d.path()));
        header.addAll(List.of(objective.metric(), "status", "seconds", "steps", "stop_reason", "error", "run_dir"));
        StringBuilder out = new StringBuilder();
        row(out, header);
        for (TrialRecord t : trials) {
            List<String> cells = new ArrayList<>();
            cells.add(Integer.toString(t.number()));
            dimensions.forEach(d -> cells.add(t.params().getOrDefault(d.path(), "")));
            double value = t.outcome().objective();
            cells.add(Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.6f", value));
            cells.add(t.outcome().status().name());
            cells.add(String.format(Locale.ROOT, "%.1f", t.outcome().seconds()));
            cells.add(Long.toString(t.outcome().steps()));
            cells.add(nullToEmpty(t.outcome().stopReason()));
            cells.add(nullToEmpty(t.outcome().error()));
            cells.add(nullToEmpty(t.outcome().runDir()));
            row(out, cells);
        }
        AtomicFile.writeString(csv, out.toString());
        return csv;
    }

    private static void row(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(cells.get(i)));
        }
        out.append("\r\n");
    }

    static String quote(String cell) {
        if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
            return "\"" + cell.replace("\"", "\"\"") + "\"";
        }
        return cell;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
