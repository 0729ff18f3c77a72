package org.recspark.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/** A model's outputs for a batch: a B x 1 tensor per task, plus any extra named tensors (tower embeddings). */
public final class ModelOutput {
    private final Map<String, Tensor> tasks = new LinkedHashMap<>();
    private final Map<String, Tensor> extras = new LinkedHashMap<>();

    public ModelOutput put(String task, Tensor output) {
        if (output.cols() != 1) {
            throw new IllegalArgumentException("task '" + task + "' output must be B x 1, got " + output);
        }
        tasks.put(task, output);
        return this;
    }

    public ModelOutput putExtra(String name, Tensor value) {
        extras.put(name, value);
        return this;
    }

    public Tensor task(String name) {
        Tensor t = tasks.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the model produced no output for task '" + name + "' (tasks: " + tasks.keySet() + ")");
        }
        return t;
    }

    public Tensor extra(String name) {
        Tensor t = extras.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the model produced no tensor '" + name + "'");
        }
        return t;
    }

    /** Predictions of a task: probabilities for logits, values otherwise. */
    public float[] predictions(TaskSpec task) {
        float[] raw = task(task.name()).data();
        if (task.kind() != TaskSpec.OutputKind.LOGIT) {
            return raw.clone();
        }
        float[] p = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            p[i] = Graph.sigmoid(raw[i]);
        }
        return p;
    }
}
