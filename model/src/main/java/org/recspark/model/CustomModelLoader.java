package org.recspark.model;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;

/** Builds model_config.custom's class by name: it must implement {@link Model} and take a {@link ModelContext}. */
final class CustomModelLoader {
    private static final String PATH = "model_config.custom.class_name";

    private CustomModelLoader() {}

    static Model load(ModelContext context) {
        String className = context.modelConfig().getCustom().getClassName();
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(List.of(new Violation(PATH, "class " + className + " is not on the classpath")));
        }
        if (!Model.class.isAssignableFrom(type)) {
            throw new ConfigException(List.of(new Violation(PATH, "class " + className + " does not implement " + Model.class.getName())));
        }
        if (!TrainingObjective.class.isAssignableFrom(type)) {
            for (Method m : type.getMethods()) {
                if (m.getName().equals("loss") || m.getName().equals("beforeStep")) {
                    // Model once declared these, so such a class was written for that contract: ignoring the method would
                    // silently train on the tasks' default losses.
                    throw new ConfigException(List.of(new Violation(PATH, "class " + className + " defines " + m.getName()
                            + "(...) but does not implement " + TrainingObjective.class.getName()
                            + ", so training would not call it; implement that interface for a loss or per-step hook of its own")));
                }
            }
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor(ModelContext.class);
        } catch (NoSuchMethodException e) {
            throw new ConfigException(List.of(new Violation(PATH, "class " + className + " needs a public constructor taking a "
                    + ModelContext.class.getName())));
        }
        try {
            return (Model) constructor.newInstance(context);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("constructing " + className + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + className, e);
        }
    }
}
