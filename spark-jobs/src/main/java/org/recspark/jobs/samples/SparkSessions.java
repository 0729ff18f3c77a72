package org.recspark.jobs.samples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.storage.DriverStorage;

/** The session of a job: spark-submit's when launched by it, else a local one on all cores. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession getOrCreate(String appName) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        settings(System.getProperties()).forEach(builder::config);
        if (hiveAvailable()) {
            // On clusters (EMR, YARN) spark-submit puts spark-hive on the classpath: hive_table inputs
            // then resolve in the metastore. Without it they resolve in the session catalog.
            builder.enableHiveSupport();
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

    private static boolean hiveAvailable() {
        try {
            Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder", false, SparkSessions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
