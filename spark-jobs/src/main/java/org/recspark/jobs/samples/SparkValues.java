package org.recspark.jobs.samples;

import scala.jdk.javaapi.CollectionConverters;

/** Spark hands arrays and maps over as Scala collections and wants them back so; the feature jar reads Java ones. */
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

    static <T> scala.collection.immutable.Seq<T> toScala(java.util.List<T> list) {
        return CollectionConverters.asScala(list).toSeq().toList();
    }
}
