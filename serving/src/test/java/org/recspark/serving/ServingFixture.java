package org.recspark.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.MapRecord;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.model.SyntheticCtrData;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.train.Trainer;

/** Bundles trained on the trainer's synthetic data, its item table as a CSV snapshot, and settings for test servers. */
final class ServingFixture {
    /** The synthetic data's items (ids 0-149). */
    static final int ITEMS = 150;

    private ServingFixture() {
    }

    /** Trains {@code model} (a zoo config) for {@code epochs} and exports it to {@code target}. */
    static Path bundle(String model, int epochs, Path target) {
        PipelineConfig config = ZooFixture.parse(model, ZooFixture.trainConfig(128, epochs));
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model m = ModelFactory.create(new ModelContext(config, ZooFixture.data().generator().schema(), params));
        Trainer trainer = new Trainer(config.getTrainConfig(), m, params, 1);
        trainer.fit(ZooFixture.data().train(), null);
        ModelExporter exporter = new ModelExporter(config, target.getParent(), ZooFixture.data().generator().schema(),
                trainer.model().tasks(), model.equals(ZooConfigs.MMOE) ? "mmoe" : "deepfm");
        return exporter.export(trainer, target, "final", Map.of());
    }

    static Path mmoe(Path target) {
        return bundle(ZooConfigs.MMOE, 1, target);
    }

    static Path deepFm(Path target) {
        return bundle(ZooConfigs.DEEPFM, 1, target);
    }

    /** Every synthetic item as the items table's CSV (item_id, category, quality). */
    static Path itemsCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("item_id,category,quality");
        for (int i = 0; i < ITEMS; i++) {
            MapRecord item = raw().item(i);
            lines.add(item.get("item_id") + "," + item.get("category") + "," + item.get("quality"));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return file;
    }

    /** Every synthetic user as the users table's CSV (user_id, seq_items, seq_categories). */
    static Path usersCsv(Path file, int users) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("user_id,seq_items,seq_categories");
        for (int u = 0; u < users; u++) {
            MapRecord user = raw().user(u);
            lines.add(user.get("user_id") + "," + user.get("seq_items") + "," + user.get("seq_categories"));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return file;
    }

    static SyntheticCtrData raw() {
        return ZooFixture.data().raw();
    }

    static ServeSettings settings(Path bundle, Optional<Path> items, Optional<Path> users, int maxItems, int maxBodyBytes, int threads,
                                  int queue) {
        return new ServeSettings(bundle.toString(), items.map(Path::toString), users.map(Path::toString), "127.0.0.1", 0, 0, maxItems, maxBodyBytes, threads, queue,
                Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(5), 3);
    }
}
