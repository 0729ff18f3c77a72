package org.recspark.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.serving.proto.ScoreResponse;
import org.recspark.serving.proto.TaskScores;
import org.recspark.serving.proto.Timing;

/** The hand-written response JSON is JsonFormat's, byte for byte, and parses back to the same message. */
class ScoreResponseJsonTest {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private static void assertSame(ScoreResponse response) throws Exception {
        String ours = new String(ScoreResponseJson.bytes(response), StandardCharsets.UTF_8);
        assertEquals(PRINTER.print(response), ours);
        ScoreResponse.Builder back = ScoreResponse.newBuilder();
        JsonFormat.parser().merge(ours, back);
        assertEquals(response, back.build());
    }

    @Test
    void equalsJsonFormatsOutput() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        TaskScores.Builder ctr = TaskScores.newBuilder().setTask("ctr");
        TaskScores.Builder cvr = TaskScores.newBuilder().setTask("cvr");
        for (int i = 0; i < 500; i++) {
            ctr.addScores((float) rnd.nextDouble());
            cvr.addScores((float) Math.pow(rnd.nextDouble(), 8));
        }
        cvr.addScores(0f).addScores(1f).addScores(1e-8f).addScores(Float.MIN_VALUE);
        assertSame(ScoreResponse.newBuilder().setRequestId("r-\"1\"\n\u00e9").setModelVersion("deepfm@112#abbb216a")
                .addScores(ctr).addScores(cvr).setTiming(Timing.newBuilder().setQueueMs(0.0125).setPredictMs(3.5).setTotalMs(1e-7)).build());
        assertSame(ScoreResponse.newBuilder().addScores(TaskScores.newBuilder().setTask("ctr")).build());
        assertSame(ScoreResponse.newBuilder().setTiming(Timing.newBuilder()).build());
        assertSame(ScoreResponse.getDefaultInstance());
    }

    @Test
    void nonFiniteScoresAreQuotedAsInProto3Json() throws Exception {
        assertSame(ScoreResponse.newBuilder().addScores(TaskScores.newBuilder().setTask("t").addScores(Float.NaN)
                .addScores(Float.POSITIVE_INFINITY).addScores(Float.NEGATIVE_INFINITY).addScores(-0.5f)).build());
    }
}
