package org.recspark.jobs.samples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.storage.DriverStorage;
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
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        settings(System.getProperties()).forEach(builder::config);
        if (!hiveTables.isEmpty() && System.getProperty(HiveSupport.CATALOG_IMPLEMENTATION) == null) {
            if (HiveSupport.classesPresent()) {
                LOG.info("Hive support on for the Hive tables {}", hiveTables);
                builder.enableHiveSupport();
            } else {
                LOG.warn("Hive tables are named ({}) but spark-hive is not on the classpath", hiveTables);
            }
        }
        SparkSession spark = builder.getOrCreate();
        JobDescriptions.commandSession(spark);
        // Paths the jobs resolve themselves (model dirs, bundles, configs) see what Spark's readers see.
        DriverStorage.install(spark);
        return spark;
    }

    /**
     * What the project sets on a session, given the JVM's system properties: the user's settings
     * (spark-submit's {@code --conf} and defaults file, or {@code -D} options of bin/recspark) are
     * there, and Spark reads them itself; settings given here would override them.
     */
    static Map<String, String> settings(Properties system) {
        Map<String, String> settings = new LinkedHashMap<>();
        // Sample dates (dt) are UTC days of the event time, whatever the cluster's zone.
        settings.put("spark.sql.session.timeZone", "UTC");
        // Rerunning a day replaces that day's partition only.
        settings.put("spark.sql.sources.partitionOverwriteMode", "dynamic");
        String master = system.getProperty("spark.master");
        if (master == null) {
            settings.put("spark.master", "local[*]");
            settings.put("spark.ui.enabled", "false");
        }
        if ((master == null || master.startsWith("local")) && system.getProperty("spark.locality.wait") == null) {
            // Tasks over HDFS input prefer their blocks' hosts, which the local executor ("localhost")
            // never is: delay scheduling then keeps them waiting for ever (issue 14). In one JVM
            // locality means nothing.
            settings.put("spark.locality.wait", "0s");
        }
        return settings;
    }
}
