package org.recspark.jobs.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.TableInput;

/**
 * Hive tables in a job: the ones a config or an option names, whether a session reaches the Hive
 * metastore, and the error when a named table cannot resolve because it does not (rather than
 * Spark's TABLE_OR_VIEW_NOT_FOUND, which reads as if the table were missing from the metastore).
 */
public final class HiveSupport {
    static final String CATALOG_IMPLEMENTATION = "spark.sql.catalogImplementation";

    private HiveSupport() {}

    /** A Hive table and where it is named: a config field path or a command-line option. */
    public record NamedTable(String namedBy, String table) {}

    /** The Hive tables among the input tables, with their config paths. */
    public static List<NamedTable> tablesIn(InputConfig input) {
        List<NamedTable> tables = new ArrayList<>();
        addIfHive(tables, input.hasSamples(), input.getSamples(), "input_config.samples");
        addIfHive(tables, input.hasUsers(), input.getUsers(), "input_config.users");
        addIfHive(tables, input.hasItems(), input.getItems(), "input_config.items");
        addIfHive(tables, input.getBehaviours().hasTable(), input.getBehaviours().getTable(), "input_config.behaviours.table");
        addIfHive(tables, input.getSplit().hasEvalTable(), input.getSplit().getEvalTable(), "input_config.split.eval_table");
        return tables;
    }

    private static void addIfHive(List<NamedTable> tables, boolean present, TableInput table, String path) {
        if (present && table.getSource().hasHiveTable()) {
            tables.add(new NamedTable(path + ".source.hive_table", table.getSource().getHiveTable()));
        }
    }

    /** Whether spark-hive is on the classpath, so a session can be built with Hive support. */
    static boolean classesPresent() {
        try {
            Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder", false, HiveSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Whether the session's catalog is the Hive metastore. */
    public static boolean enabled(SparkSession spark) {
        return "hive".equals(spark.sparkContext().conf().get(CATALOG_IMPLEMENTATION, "in-memory"));
    }

    /**
     * Why the session cannot resolve {@code table}, or empty when it can: the session has Hive
     * support, or the table is in its own catalog already (a temporary view, a table of an
     * in-memory catalog).
     */
    public static Optional<String> unavailable(SparkSession spark, String table) {
        if (enabled(spark) || spark.catalog().tableExists(table)) {
            return Optional.empty();
        }
        String why = classesPresent()
                ? "it was built without it (" + CATALOG_IMPLEMENTATION + "="
                        + spark.sparkContext().conf().get(CATALOG_IMPLEMENTATION, "in-memory") + ")"
                : "spark-hive_2.13 is not on the classpath (bin/recspark has it; with spark-submit, run on a Spark with Hive, as EMR's)";
        return Optional.of("names Hive table '" + table + "', but this Spark session has no Hive support: " + why);
    }
}
