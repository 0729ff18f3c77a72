package org.recspark.serving;

import java.util.Map;
import org.recspark.features.RawRecord;

/**
 * The users table snapshot (optional): a request naming a known user by id gets the user's stored
 * fields, with the fields the request gives itself taking precedence. User features are computed
 * once per request anyway, so nothing is precomputed. Immutable; a new snapshot is a new table.
 */
public final class UserTable {
    /** No users table: the request's user fields are all there is. */
    public static final UserTable EMPTY = new UserTable(Map.of(), "", "", "");

    private final Map<String, RawRecord> users;
    private final String idField;
    private final String source;
    private final String stamp;

    public UserTable(Map<String, RawRecord> users, String idField, String source, String stamp) {
        this.users = Map.copyOf(users);
        this.idField = idField;
        this.source = source;
        this.stamp = stamp;
    }

    /** Whether a table was loaded (an empty one counts). */
    public boolean loaded() {
        return !source.isEmpty();
    }

    /** The user field holding the id ({@code input_config.user_id_field}). */
    public String idField() {
        return idField;
    }

    /** The stored user of this canonical id, or null. */
    public RawRecord get(String id) {
        return users.get(id);
    }

    public int size() {
        return users.size();
    }

    public String source() {
        return source;
    }

    /** The snapshot's {@link TableSnapshot#stamp()} when it was read. */
    public String stamp() {
        return stamp;
    }
}
