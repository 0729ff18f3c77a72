package org.recspark.jobs.samples;

import scala.jdk.javaapi.CollectionConverters;

/** Spark's external rows hand arrays and maps over as Scala collections; the feature jar reads Java ones. */
public final class SparkValues {
    private SparkValues() {}

    public static Object toJava(Object value) {
        if (value instanceof scala.collection.Seq<?> seq) {
            return CollectionConverters.asJava(seq);
        }
        if (value instanceof scala.collection.Map<?, ?> map) {
            return CollectionConverters.asJava(map);
        }
        return value;
    }
}
