package org.recspark.serving;

import java.time.Instant;
import org.recspark.config.proto.export.ExportManifest;
import org.recspark.predictor.Predictor;

/**
 * What the server scores with at one moment: a loaded, warmed bundle, the item catalog precomputed
 * by its feature generator and the users table (empty without one). Swapped whole, so a request uses one model and one
 * catalog from start to end.
 *
 * @param fields   the raw fields requests may name for its features
 * @param bundle   the bundle's location
 * @param stamp    what identifies this bundle's content (its manifest checksum)
 * @param loadedAt when the server swapped it in
 */
public record ServedModel(Predictor predictor, RequestFields fields, ItemCatalog items, UserTable users, String bundle, String stamp,
                          Instant loadedAt) {

    /** Model type, global step and the first characters of the manifest's checksum: "deepfm@1200#3f2a9c1e". */
    public String version() {
        ExportManifest m = predictor.manifest();
        return m.getModelType() + "@" + m.getGlobalStep() + "#" + stamp.substring(0, Math.min(8, stamp.length()));
    }

    /** The same model with another item snapshot. */
    public ServedModel withItems(ItemCatalog catalog) {
        return new ServedModel(predictor, fields, catalog, users, bundle, stamp, loadedAt);
    }

    /** The same model with another users snapshot. */
    public ServedModel withUsers(UserTable table) {
        return new ServedModel(predictor, fields, items, table, bundle, stamp, loadedAt);
    }
}
