package org.recspark.jobs.samples;

import org.apache.spark.sql.SparkSession;
import org.recspark.jobs.storage.DriverStorage;

/** The session of a job: spark-submit's when launched by it, else a local one on all cores. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(String appName) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName)
                // Sample dates (dt) are UTC days of the event time, whatever the cluster's zone.
                .config("spark.sql.session.timeZone", "UTC")
                // Rerunning a day replaces that day's partition only.
                .config("spark.sql.sources.partitionOverwriteMode", "dynamic");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        if (hiveAvailable()) {
            // On clusters (EMR, YARN) spark-submit puts spark-hive on the classpath: hive_table inputs
            // then resolve in the metastore. Without it they resolve in the session catalog.
            builder.enableHiveSupport();
        }
        SparkSession session = builder.getOrCreate();
        // Paths the jobs resolve themselves (model dirs, bundles, configs) see what Spark's readers see.
        DriverStorage.install(session);
        return session;
    }

    private static boolean hiveAvailable() {
        try {
            Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder", false, SparkSessions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
