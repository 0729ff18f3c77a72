package org.recspark.config;

import java.util.ArrayList;
import java.util.List;
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

    /**
     * Refuses samples that lack any of the three roles, for a job that keys every sample by user, item
     * and time: one violation per missing role at its config path, naming the job.
     *
     * @param job what needs the roles and why, e.g. "check-consistency (it matches ... by them)"
     * @throws ConfigException when a role is missing
     */
    public static void requireAll(InputConfig input, String job) {
        List<Violation> missing = new ArrayList<>();
        require(userId(input), "input_config.user_id_field", input.getUserIdField(), job, missing);
        require(itemId(input), "input_config.item_id_field", input.getItemIdField(), job, missing);
        require(time(input), "input_config.time_field", input.getTimeField(), job, missing);
        if (!missing.isEmpty()) {
            throw new ConfigException(missing);
        }
    }

    private static void require(Optional<String> role, String path, String column, String job, List<Violation> out) {
        if (role.isEmpty()) {
            out.add(new Violation(path, "is required by " + job + ", but the samples table has no column '" + column + "'"));
        }
    }

    private static Optional<String> role(boolean set, String column, TableInput samples) {
        boolean declared = samples.getSchemaList().stream().anyMatch(f -> f.getName().equals(column));
        return set || declared ? Optional.of(column) : Optional.empty();
    }
}
