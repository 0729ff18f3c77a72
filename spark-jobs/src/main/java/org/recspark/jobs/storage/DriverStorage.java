package org.recspark.jobs.storage;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.recspark.storage.hadoop.HadoopStorage;

/**
 * The Hadoop configuration the driver resolves paths with: before a Spark session exists, Hadoop's
 * site files plus the {@code spark.hadoop.*} properties spark-submit passes (as Spark itself builds
 * it); once a session exists, the session's own.
 */
public final class DriverStorage {
    private static final String SPARK_HADOOP = "spark.hadoop.";

    private DriverStorage() {
    }

    /** Installs the configuration a Spark session would have, from the JVM's system properties. */
    public static void installFromSystemProperties() {
        Configuration conf = new Configuration();
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String key = e.getKey().toString();
            if (key.startsWith(SPARK_HADOOP) && key.length() > SPARK_HADOOP.length()) {
                conf.set(key.substring(SPARK_HADOOP.length()), e.getValue().toString(), "spark.hadoop property");
            }
        }
        HadoopStorage.install(conf);
    }

    /** Installs the session's Hadoop configuration. */
    public static void install(SparkSession spark) {
        HadoopStorage.install(spark.sparkContext().hadoopConfiguration());
    }
}
