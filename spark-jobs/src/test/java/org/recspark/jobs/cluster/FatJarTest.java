package org.recspark.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fat jar for spark-submit: what is in it, that it runs beside exactly the jars a Spark
 * installation provides, and that the libraries it relocates work there while the unrelocated
 * ones would not. Runs with the cluster tests, after the jar is built.
 */
class FatJarTest {
    private static Path fatJar;
    private static Path launcherDir;
    private static List<Path> sparkJars;
    private static Set<String> entries;

    @BeforeAll
    static void readJar() throws IOException {
        assumeTrue(System.getProperty("recspark.fatJar") != null, "the fat jar tests run in mvn verify "
                + "(the fat-jar profile's cluster-tests execution, after the fat jar is built)");
        fatJar = Path.of(System.getProperty("recspark.fatJar"));
        launcherDir = Path.of(System.getProperty("recspark.launcherDir"));
        assertTrue(Files.isRegularFile(fatJar), "no fat jar at " + fatJar);
        sparkJars = classpath(launcherDir.resolve("spark-classpath.txt"));
        try (JarFile jar = new JarFile(fatJar.toFile())) {
            entries = jar.stream().map(e -> e.getName()).collect(Collectors.toUnmodifiableSet());
            assertEquals("org.recspark.jobs.RecSparkCli", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    private static List<Path> classpath(Path file) throws IOException {
        return Arrays.stream(Files.readString(file).trim().split(File.pathSeparator)).map(Path::of).toList();
    }

    private static List<String> entriesUnder(String prefix) {
        return entries.stream().filter(e -> e.startsWith(prefix)).sorted().limit(3).toList();
    }

    @Test
    void holdsTheProjectAndItsNativesButNothingSparkProvides() {
        for (String ours : List.of("org/recspark/jobs/RecSparkCli.class", "org/recspark/trainer/tensor/Blas.class",
                "org/recspark/config/proto/PipelineConfig.class",
                "org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
                "org/bytedeco/openblas/linux-x86_64/libjniopenblas_nolapack.so",
                "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so",
                "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend",
                "org/recspark/shaded/protobuf/GeneratedMessage.class", "org/recspark/shaded/flatbuffers/Table.class",
                "org/recspark/shaded/gson/Gson.class", "org/recspark/shaded/guava/collect/ImmutableList.class",
                "org/recspark/shaded/codec/digest/MurmurHash3.class")) {
            assertTrue(entries.contains(ours), "the fat jar lacks " + ours);
        }
        for (String theirs : List.of("org/apache/spark/", "scala/", "org/apache/hadoop/", "org/apache/parquet/",
                "org/slf4j/", "org/apache/logging/", "org/apache/commons/logging/", "io/netty/",
                "com/fasterxml/jackson/", "com/google/protobuf/", "com/google/flatbuffers/", "com/google/gson/",
                "com/google/common/", "com/google/thirdparty/", "org/apache/commons/codec/")) {
            assertEquals(List.of(), entriesUnder(theirs), "the fat jar holds " + theirs);
        }
        // The launcher's log configuration quiets local runs; on a cluster the cluster's applies.
        assertTrue(entries.stream().noneMatch(e -> e.matches("log4j2?(-test)?\\.(properties|xml|json|yaml)")),
                "the fat jar carries a log4j configuration");
        assertTrue(entries.stream().noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)")), "signature files in the fat jar");
    }

    @Test
    void runsWithTheSparkClasspathAlone() throws IOException, InterruptedException {
        String config = Path.of(System.getProperty("recspark.repo.root")).resolve("examples/sample_pipeline.pbtxt").toString();
        String help = runCli("help");
        assertTrue(help.contains("build-samples") && help.contains("train"), help);
        // Text-format parsing and validation: the relocated protobuf runtime with Spark's own protobuf beside it.
        assertTrue(runCli("validate-config", config).contains(": OK"));
    }

    private static String runCli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(Files.readString(launcherDir.resolve("jvm.options")).trim().split("\\s+")));
        command.add("-cp");
        command.add(fatJar + File.pathSeparator + sparkJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add("org.recspark.jobs.RecSparkCli");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "recspark " + String.join(" ", args) + " did not finish");
        assertEquals(0, process.exitValue(), "recspark " + String.join(" ", args) + ":\n" + output);
        return output;
    }

    /**
     * nd4j's generated FlatBuffers classes call {@code Constants.FLATBUFFERS_1_12_0()}, which the
     * flatbuffers-java of Spark's Arrow (24.x) no longer has: from the fat jar they work beside it.
     */
    @Test
    void nd4jFlatBuffersWorkBesideSparksFlatBuffers() throws Exception {
        Path sparkFlatbuffers = sparkJars.stream().filter(p -> p.getFileName().toString().startsWith("flatbuffers-java-"))
                .findFirst().orElseThrow(() -> new AssertionError("Spark's classpath has no flatbuffers-java: " + sparkJars));
        try (URLClassLoader loader = loader(List.of(fatJar, sparkFlatbuffers))) {
            validateFlatArrayVersion(loader);
        }
        Path nd4jApi = classpath(launcherDir.resolve("classpath.txt")).stream()
                .filter(p -> p.getFileName().toString().startsWith("nd4j-api-")).findFirst().orElseThrow();
        try (URLClassLoader loader = loader(List.of(nd4jApi, sparkFlatbuffers))) {
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> validateFlatArrayVersion(loader));
            assertTrue(e.getCause() instanceof NoSuchMethodError, e.getCause().toString());
        }
    }

    private static URLClassLoader loader(List<Path> jars) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static void validateFlatArrayVersion(ClassLoader loader) throws Exception {
        Class.forName("org.nd4j.graph.FlatArray", true, loader).getMethod("ValidateVersion").invoke(null);
    }

    /**
     * Every jar of the Spark classpath (the cluster tests' SPARK_HOME and bin/recspark-submit's) is
     * something Spark 4 itself depends on, so none of the project's libraries can hide there: a
     * library missing from the fat jar fails the cluster tests as it would fail on a real cluster.
     */
    @Test
    void theSparkClasspathHoldsOnlyWhatSparkDependsOn() throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(launcherDir.resolve("dependency-tree.json"))).getAsJsonObject();
        Map<String, Set<String>> children = new HashMap<>();
        Map<String, String> groupByFile = new HashMap<>();
        index(root, children, groupByFile);
        Set<String> spark = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        for (JsonElement child : root.getAsJsonArray("children")) {
            if (child.getAsJsonObject().get("groupId").getAsString().equals("org.apache.spark")) {
                queue.add(key(child.getAsJsonObject()));
            }
        }
        while (!queue.isEmpty()) {
            String k = queue.poll();
            if (spark.add(k)) {
                queue.addAll(children.getOrDefault(k, Set.of()));
            }
        }
        List<String> notSparks = new ArrayList<>();
        for (Path jar : sparkJars) {
            String file = jar.getFileName().toString();
            String key = groupByFile.get(file);
            if (key == null || !spark.contains(key)) {
                notSparks.add(key == null ? file : key);
            }
        }
        assertEquals(List.of(), notSparks, "on the Spark classpath but not brought by Spark: put them in the fat jar "
                + "(the shade includes in spark-jobs/pom.xml) and exclude them from spark-classpath");
    }

    private static String key(JsonObject node) {
        return node.get("groupId").getAsString() + ":" + node.get("artifactId").getAsString() + ":" + node.get("classifier").getAsString();
    }

    /** Children of every node by key, over all its occurrences (omitted duplicates list no children), and keys by jar file name. */
    private static void index(JsonObject node, Map<String, Set<String>> children, Map<String, String> keyByFile) {
        String key = key(node);
        String classifier = node.get("classifier").getAsString();
        keyByFile.putIfAbsent(node.get("artifactId").getAsString() + "-" + node.get("version").getAsString()
                + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar", key);
        Set<String> own = children.computeIfAbsent(key, k -> new HashSet<>());
        if (node.has("children")) {
            for (JsonElement child : node.getAsJsonArray("children")) {
                own.add(key(child.getAsJsonObject()));
                index(child.getAsJsonObject(), children, keyByFile);
            }
        }
    }
}
