package org.recspark.jobs.samples;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The session of a job: spark-submit's when launched by it, else a local one on all cores. */
public final class SparkSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

    private SparkSessions() {}

    /** The session of a job that names no Hive table. */
    public static SparkSession getOrCreate(String appName) {
        return getOrCreate(appName, List.of());
    }

    /**
     * The session of a job that reads or writes {@code hiveTables}. Hive support is enabled when
     * the job names a Hive table and spark-hive is on the classpath, unless
     * {@code spark.sql.catalogImplementation} is set (then that setting decides, as for any Spark
     * application). Not for every job: without a hive-site.xml, Hive support boots an embedded Derby
     * metastore in the working directory (metastore_db/, derby.log) that only one JVM at a time can
     * open, so jobs that read only files would litter the directory and fail when two run side by
     * side; on a cluster they would connect to the metastore for nothing. A Hive table that cannot
     * resolve is reported where it is used ({@link HiveSupport#unavailable}).
     */
    public static SparkSession getOrCreate(String appName, List<HiveSupport.NamedTable> hiveTables) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName)
                // Sample dates (dt) are UTC days of the event time, whatever the cluster's zone.
                .config("spark.sql.session.timeZone", "UTC")
                // Rerunning a day replaces that day's partition only.
                .config("spark.sql.sources.partitionOverwriteMode", "dynamic");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        if (!hiveTables.isEmpty() && System.getProperty(HiveSupport.CATALOG_IMPLEMENTATION) == null) {
            if (HiveSupport.classesPresent()) {
                LOG.info("Hive support on for the Hive tables {}", hiveTables);
                builder.enableHiveSupport();
            } else {
                LOG.warn("Hive tables are named ({}) but spark-hive is not on the classpath", hiveTables);
            }
        }
        return builder.getOrCreate();
    }
}
