package org.recspark.jobs.samples;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.LossType;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TaskTower;

/**
 * The samples columns whose values must be 0 or 1: those read as is (no positive_threshold) by a
 * task trained with binary cross-entropy, the single-task model's or any task tower's.
 */
final class BinaryLabelColumns {
    private BinaryLabelColumns() {}

    static Set<String> of(PipelineConfig config) {
        Set<String> binaryLabels = new LinkedHashSet<>();
        if (config.hasModelConfig()) {
            ModelConfig model = config.getModelConfig();
            List<TaskTower> towers = new ArrayList<>();
            collectTowers(model, towers);
            for (TaskTower tower : towers) {
                if (tower.getLoss() == LossType.BINARY_CROSS_ENTROPY) {
                    binaryLabels.add(tower.getLabel());
                }
            }
            List<LabelField> labels = config.getInputConfig().getLabelsList();
            if (towers.isEmpty() && model.getLoss() == LossType.BINARY_CROSS_ENTROPY) {
                if (model.hasLabel()) {
                    binaryLabels.add(model.getLabel());
                } else if (labels.size() == 1) {
                    binaryLabels.add(labels.get(0).getName());
                }
            }
        }
        Set<String> columns = new LinkedHashSet<>();
        for (LabelField label : config.getInputConfig().getLabelsList()) {
            if (binaryLabels.contains(label.getName()) && !label.hasPositiveThreshold()) {
                columns.add(label.hasColumn() ? label.getColumn() : label.getName());
            }
        }
        return columns;
    }

    /** Every TaskTower set anywhere in the model's config (mmoe.tasks, esmm.ctr, ...), whatever the model. */
    private static void collectTowers(Message message, List<TaskTower> out) {
        for (var entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            List<?> values = field.isRepeated() ? (List<?>) entry.getValue() : List.of(entry.getValue());
            for (Object value : values) {
                if (value instanceof TaskTower tower) {
                    out.add(tower);
                } else if (value instanceof Message nested) {
                    collectTowers(nested, out);
                }
            }
        }
    }
}
