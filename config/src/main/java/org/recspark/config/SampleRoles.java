package org.recspark.config;

import java.util.Optional;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.TableInput;

/**
 * The samples table's role columns (user id, item id, event time) that a pipeline uses. Each is
 * optional: a role is in use when its field is set in input_config, or when the samples table
 * declares a column of its default name ({@code user_id}, {@code item_id}, {@code ts}). A context-only
 * CTR table (label, dense and categorical columns, as Criteo's) has none of them; what needs a role
 * (GAUC, users or items tables, behaviour replay, a by-time split) is refused by the validator with
 * the role's config path and the setting that needs it.
 */
public final class SampleRoles {
    private SampleRoles() {}

    /** input_config.user_id_field, when the samples have a user column. */
    public static Optional<String> userId(InputConfig input) {
        return role(input.hasUserIdField(), input.getUserIdField(), input.getSamples());
    }

    /** input_config.item_id_field, when the samples have an item column. */
    public static Optional<String> itemId(InputConfig input) {
        return role(input.hasItemIdField(), input.getItemIdField(), input.getSamples());
    }

    /** input_config.time_field, when the samples have an event time column. */
    public static Optional<String> time(InputConfig input) {
        return role(input.hasTimeField(), input.getTimeField(), input.getSamples());
    }

    private static Optional<String> role(boolean set, String column, TableInput samples) {
        boolean declared = samples.getSchemaList().stream().anyMatch(f -> f.getName().equals(column));
        return set || declared ? Optional.of(column) : Optional.empty();
    }
}
