package org.recspark.trainer.retrieval;

/**
 * The settings of {@link ApproximateTopK}'s graph index, validated here (each message names its
 * field). Larger values raise recall and cost: the graph's memory and build time grow with the
 * degree and the build's beam width, the query time with the overquery.
 *
 * @param degree    the most neighbours a node keeps (HNSW's M, jvector's maxDegree), >= 2
 * @param beamWidth the candidates a node's insertion searches (HNSW's efConstruction), >= degree
 * @param overquery a query's search list in multiples of K (HNSW's ef = overquery x K), >= 1
 */
public record AnnParameters(int degree, int beamWidth, int overquery) {
    public static final int DEFAULT_DEGREE = 32;
    public static final int DEFAULT_BEAM_WIDTH = 100;
    public static final int DEFAULT_OVERQUERY = 10;

    public AnnParameters {
        if (degree < 2) {
            throw new IllegalArgumentException("degree must be >= 2, got " + degree);
        }
        if (beamWidth < degree) {
            throw new IllegalArgumentException("beam width must be >= the degree (" + degree + "), got " + beamWidth);
        }
        if (overquery < 1) {
            throw new IllegalArgumentException("overquery must be >= 1, got " + overquery);
        }
    }

    /** Degree 32, beam width 100, overquery 10 (a search list of 200 at K = 20). */
    public static AnnParameters defaults() {
        return new AnnParameters(DEFAULT_DEGREE, DEFAULT_BEAM_WIDTH, DEFAULT_OVERQUERY);
    }
}
