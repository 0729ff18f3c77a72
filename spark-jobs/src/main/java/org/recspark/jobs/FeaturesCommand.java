package org.recspark.jobs;

import com.google.gson.stream.JsonWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.DenseColumn;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSpec;
import org.recspark.features.RawRecord;
import org.recspark.features.SparseColumn;
import org.recspark.jobs.samples.RejectThreshold;
import org.recspark.sampledata.CsvRecords;
import org.recspark.sampledata.CsvTable;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recspark features --config CONFIG --out DIR}: generates the config's features for every
 * impression of its CSV inputs, one request (1 user x N items) at a time through the feature jar,
 * and writes them as JSON lines. Behaviour statistics are computed the online way, from each
 * user's and item's raw events ({@link BehaviourHistory}). Impressions whose user or item is
 * unknown are rejected with their reason; more than input_config.rejects.max_fraction of them
 * fails the run.
 */
final class FeaturesCommand extends OptionCommand {
    private static final Logger LOG = LoggerFactory.getLogger(FeaturesCommand.class);

    static final String REJECTS_FILE = "rejects.csv";

    FeaturesCommand(PrintStream out) {
        super("features",
                "generate a config's features for its CSV samples (1 user x N items per request) as JSON lines",
                out, Set.of(ConfigOption.NAME, "out"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark features --config CONFIG --out DIR";
    }

    @Override
    int run(CommandLine cl) throws IOException {
        ConfigOption configOption = ConfigOption.of(cl);
        Path outDir = Locations.of(cl.required("out"));
        PipelineConfig config = configOption.loadRequiring(" to read samples from", "input_config");
        Path baseDir = configOption.baseDir();
        FeatureRun run = new FeatureRun(config, baseDir);
        Path rejectsDir = config.getInputConfig().getRejects().hasPath()
                ? Locations.resolve(baseDir, config.getInputConfig().getRejects().getPath())
                : outDir.resolveSibling(outDir.getFileName() + "_rejects");
        String command = "features --config " + cl.required(ConfigOption.NAME);
        try (DirectoryLock outputLock = AtomicOutputDirectory.lock(outDir, command);
             DirectoryLock rejectsLock = AtomicOutputDirectory.lock(rejectsDir, command)) {
            write(run, outDir, rejectsDir, () -> {
                outputLock.checkHeld();
                rejectsLock.checkHeld();
            });
        }
        out.printf(Locale.ROOT, "features: %d impressions in %d requests -> %s (%d features: %d per request, %d per item)%n",
                run.rows, run.requests, outDir.resolve("features.jsonl"), run.generator.schema().size(),
                run.generator.schema().features().stream().filter(s -> !s.perItem()).count(),
                run.generator.schema().features().stream().filter(FeatureSpec::perItem).count());
        out.printf(Locale.ROOT, "features: %d rejected impressions (%s), %d bad values replaced by defaults, %.0f impressions/s%n",
                run.rejected, rejectsDir.resolve(REJECTS_FILE), run.generator.badValues().total(), run.rows / Math.max(1e-9, run.seconds));
        return 0;
    }

    /**
     * Writes the features and the rejects, each directory published whole or not at all, after
     * {@code checkLocks} confirms no other run has taken them over meanwhile.
     */
    private static void write(FeatureRun run, Path outDir, Path rejectsDir, Runnable checkLocks) throws IOException {
        AtomicOutputDirectory output = new AtomicOutputDirectory(outDir);
        AtomicOutputDirectory rejects = new AtomicOutputDirectory(rejectsDir);
        try {
            run.writeTo(output.staging(), rejects.staging());
            checkLocks.run();
            rejects.commit();
        } catch (IOException | UncheckedIOException e) {
            output.abandon();
            rejects.abandon();
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            // A full disk reports only "No space left on device": say which output it was.
            throw new UncheckedIOException("cannot write " + outDir + " (features) and " + rejectsDir + " (rejects); nothing of either was published: "
                    + cause.getMessage(), cause);
        } catch (RuntimeException e) {
            output.abandon();
            rejects.abandon();
            throw e;
        }
        try {
            run.checkRejectThreshold(rejectsDir.resolve(REJECTS_FILE));
            checkLocks.run();
            output.commit();
        } catch (RuntimeException | IOException e) {
            output.abandon();
            throw e;
        }
    }

    /** One pass over the samples: group rows into requests, generate, write. */
    private static final class FeatureRun {
        private final InputConfig input;
        private final Path baseDir;
        private final FeatureGenerator generator;
        private final List<String> contextFields;
        private long rows;
        private long requests;
        private long rejected;
        private double seconds;

        private final BehaviourHistory history;

        FeatureRun(PipelineConfig config, Path baseDir) {
            this.input = config.getInputConfig();
            SampleRoles.requireAll(input, "features (it groups the samples into requests by user and time, and joins users and items)");
            this.baseDir = baseDir;
            this.generator = FeatureGenerator.compile(config.getFeatureConfig(), baseDir);
            this.history = config.getFeatureConfig().hasBehaviourStats()
                    ? BehaviourHistory.load(input.getBehaviours(), config.getFeatureConfig().getBehaviourStats(), baseDir) : null;
            this.contextFields = generator.schema().features().stream().flatMap(s -> s.inputs().stream())
                    .filter(i -> i.startsWith("context.")).map(i -> i.substring("context.".length())).distinct().toList();
        }

        void writeTo(Path dir, Path rejectsDir) throws IOException {
            long start = System.nanoTime();
            Map<String, Map<String, String>> users = input.hasUsers()
                    ? LocalCsvInputs.readKeyed(input.getUsers(), "input_config.users", baseDir, input.getUserIdField()) : Map.of();
            Map<String, Map<String, String>> items = input.hasItems()
                    ? LocalCsvInputs.readKeyed(input.getItems(), "input_config.items", baseDir, input.getItemIdField()) : Map.of();
            LOG.info("Read {} users and {} items", users.size(), items.size());
            Path samples = LocalCsvInputs.csvPath(input.getSamples(), "input_config.samples", baseDir);
            try (BufferedWriter featuresOut = Files.newBufferedWriter(dir.resolve("features.jsonl"), StandardCharsets.UTF_8);
                 BufferedWriter rejectsOut = Files.newBufferedWriter(rejectsDir.resolve(REJECTS_FILE), StandardCharsets.UTF_8)) {
                rejectsOut.write(CsvRecords.line(List.of("line", "reason", "row"), ","));
                RequestGrouper grouper = new RequestGrouper(users, items, featuresOut);
                CsvTable.forEachNumberedRow(samples, LocalCsvInputs.delimiter(input.getSamples()),
                        LocalCsvInputs.columns(input.getSamples()), (row, line) -> {
                            String reason = rejectReason(row, users, items);
                            if (reason != null) {
                                rejected++;
                                // Ids, reasons and rows may hold commas, quotes or line breaks: quoted as RFC 4180 says.
                                write(rejectsOut, CsvRecords.line(List.of(Long.toString(line), reason, row.toString()), ","));
                            } else {
                                grouper.add(row, line);
                            }
                        });
                grouper.flush();
            }
            writeSchema(dir.resolve("schema.json"));
            seconds = (System.nanoTime() - start) / 1e9;
        }

        void checkRejectThreshold(Path rejectsFile) {
            new RejectThreshold(input.getRejects().getMaxFraction()).check(rejected, rows + rejected, "impressions", "reasons in " + rejectsFile);
        }

        private String rejectReason(Map<String, String> row, Map<String, Map<String, String>> users,
                                    Map<String, Map<String, String>> items) {
            String user = row.get(input.getUserIdField());
            String item = row.get(input.getItemIdField());
            if (input.hasUsers() && !users.containsKey(user)) {
                return "unknown " + input.getUserIdField() + " '" + user + "'";
            }
            if (input.hasItems() && !items.containsKey(item)) {
                return "unknown " + input.getItemIdField() + " '" + item + "'";
            }
            for (LabelField label : input.getPositivesOnly() ? List.<LabelField>of() : input.getLabelsList()) {
                String column = label.hasColumn() ? label.getColumn() : label.getName();
                try {
                    Double.parseDouble(row.get(column));
                } catch (NumberFormatException | NullPointerException e) {
                    return "label " + label.getName() + " (column " + column + ") is not a number: '" + row.get(column) + "'";
                }
            }
            return null;
        }

        /** Collects consecutive rows of one request, then generates them as one 1 x N batch. */
        private final class RequestGrouper {
            private final Map<String, Map<String, String>> users;
            private final Map<String, Map<String, String>> items;
            private final BufferedWriter featuresOut;
            private final List<Map<String, String>> pending = new ArrayList<>();
            private String pendingRequest;
            private long firstLine;

            RequestGrouper(Map<String, Map<String, String>> users, Map<String, Map<String, String>> items, BufferedWriter out) {
                this.users = users;
                this.items = items;
                this.featuresOut = out;
            }

            void add(Map<String, String> row, long line) {
                String request = input.hasRequestIdField() ? row.get(input.getRequestIdField()) : null;
                String user = row.get(input.getUserIdField());
                boolean sameRequest = request != null && request.equals(pendingRequest)
                        && user.equals(pending.get(0).get(input.getUserIdField()))
                        && row.get(input.getTimeField()).equals(pending.get(0).get(input.getTimeField()));
                if (!sameRequest) {
                    flush();
                    pendingRequest = request;
                    firstLine = line;
                } else {
                    for (String field : contextFields) {
                        if (!java.util.Objects.equals(row.get(field), pending.get(0).get(field))) {
                            throw new IllegalStateException("samples line " + line + ": context field '" + field + "' is '"
                                    + row.get(field) + "' but '" + pending.get(0).get(field) + "' earlier in request '" + request
                                    + "' (line " + firstLine + "); context fields must be constant within a request");
                        }
                    }
                }
                pending.add(row);
            }

            void flush() {
                if (pending.isEmpty()) {
                    return;
                }
                Map<String, String> first = pending.get(0);
                String userId = first.get(input.getUserIdField());
                long time = Long.parseLong(first.get(input.getTimeField()));
                Map<String, Object> userFields = new java.util.HashMap<>(users.getOrDefault(userId, Map.of()));
                if (history != null) {
                    history.addUserFields(userId, time, userFields);
                }
                RawRecord user = field -> userFields.containsKey(field) ? userFields.get(field) : first.get(field);
                List<RawRecord> itemRecords = new ArrayList<>(pending.size());
                for (Map<String, String> row : pending) {
                    String itemId = row.get(input.getItemIdField());
                    Map<String, Object> itemFields = new java.util.HashMap<>(items.getOrDefault(itemId, Map.of()));
                    if (history != null) {
                        history.addItemFields(itemId, userId, time, itemFields);
                    }
                    itemRecords.add(field -> itemFields.containsKey(field) ? itemFields.get(field) : row.get(field));
                }
                FeatureBatch batch = generator.generate(user, itemRecords, first::get);
                for (int r = 0; r < pending.size(); r++) {
                    write(featuresOut, jsonLine(pending.get(r), batch, r));
                }
                rows += pending.size();
                requests++;
                pending.clear();
            }
        }

        private String jsonLine(Map<String, String> row, FeatureBatch batch, int r) {
            java.io.StringWriter text = new java.io.StringWriter(512);
            try (JsonWriter json = new JsonWriter(text)) {
                json.beginObject();
                if (input.hasRequestIdField()) {
                    json.name("request_id").value(row.get(input.getRequestIdField()));
                }
                json.name(input.getUserIdField()).value(row.get(input.getUserIdField()));
                json.name(input.getItemIdField()).value(row.get(input.getItemIdField()));
                json.name(input.getTimeField()).value(row.get(input.getTimeField()));
                json.name("labels").beginObject();
                for (LabelField label : input.getLabelsList()) {
                    if (input.getPositivesOnly()) {
                        json.name(label.getName()).value(1);
                        continue;
                    }
                    double value = Double.parseDouble(row.get(label.hasColumn() ? label.getColumn() : label.getName()));
                    json.name(label.getName()).value(label.hasPositiveThreshold() ? (value >= label.getPositiveThreshold() ? 1 : 0) : value);
                }
                json.endObject();
                json.name("features").beginObject();
                for (FeatureColumn column : batch.columns()) {
                    json.name(column.name()).beginArray();
                    if (column instanceof SparseColumn sparse) {
                        for (int k = sparse.start(r); k < sparse.end(r); k++) {
                            json.value(sparse.id(k));
                        }
                    } else {
                        DenseColumn dense = (DenseColumn) column;
                        for (int j = 0; j < dense.dim(); j++) {
                            json.value(dense.value(r, j));
                        }
                    }
                    json.endArray();
                }
                json.endObject();
                json.endObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return text.append('\n').toString();
        }

        private void writeSchema(Path file) throws IOException {
            try (JsonWriter json = new JsonWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
                json.setIndent("  ");
                json.beginObject().name("total_ids").value(generator.schema().totalIds()).name("features").beginArray();
                for (FeatureSpec spec : generator.schema().features()) {
                    json.beginObject().name("name").value(spec.name()).name("type").value(spec.type().name().toLowerCase(Locale.ROOT))
                            .name("inputs").beginArray();
                    for (String i : spec.inputs()) {
                        json.value(i);
                    }
                    json.endArray().name("per_item").value(spec.perItem()).name("sparse").value(spec.sparse());
                    if (spec.sparse()) {
                        json.name("id_space_size").value(spec.idSpaceSize()).name("embedding_table").value(spec.embeddingTable())
                                .name("id_offset").value(spec.idOffset()).name("embedding_dim").value(spec.embeddingDim());
                    } else {
                        json.name("dim").value(spec.denseDim());
                    }
                    json.endObject();
                }
                json.endArray().endObject();
            }
        }

        private static void write(BufferedWriter writer, String text) {
            try {
                writer.write(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
