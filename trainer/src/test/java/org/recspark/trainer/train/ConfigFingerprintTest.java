package org.recspark.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.LeaveLastOut;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TimeSplit;

class ConfigFingerprintTest {

    private static PipelineConfig config(DataSplit split, String userField, Boolean positivesOnly) {
        InputConfig.Builder input = InputConfig.newBuilder()
                .setSplit(split)
                .setUserIdField(userField)
                .addLabels(LabelField.newBuilder().setName("click"));
        if (positivesOnly != null) {
            input.setPositivesOnly(positivesOnly);
        }
        return PipelineConfig.newBuilder().setInputConfig(input).build();
    }

    private static List<String> changed(PipelineConfig before, PipelineConfig after) {
        return ConfigFingerprint.of(after).changedSince(ConfigFingerprint.of(before));
    }

    @Test
    void userFieldCountsOnlyForAPerUserSplit() {
        DataSplit byTime = DataSplit.newBuilder().setByTime(TimeSplit.getDefaultInstance()).build();
        DataSplit leaveLastOut = DataSplit.newBuilder().setLeaveLastOut(LeaveLastOut.getDefaultInstance()).build();

        assertEquals(List.of(), changed(config(byTime, "user_id", null), config(byTime, "uid", null)));
        assertEquals(List.of("input_config.split"),
                changed(config(leaveLastOut, "user_id", null), config(leaveLastOut, "uid", null)));
    }

    @Test
    void positivesOnlyChangesTheLabelsSectionAndItsDefaultChangesNothing() {
        DataSplit byTime = DataSplit.newBuilder().setByTime(TimeSplit.getDefaultInstance()).build();

        assertEquals(List.of(), changed(config(byTime, "user_id", null), config(byTime, "user_id", false)));
        assertEquals(List.of("input_config.labels"),
                changed(config(byTime, "user_id", null), config(byTime, "user_id", true)));
    }
}
