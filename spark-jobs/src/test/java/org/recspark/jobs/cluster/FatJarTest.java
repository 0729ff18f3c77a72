package org.recspark.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
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
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recspark.model.tensor.Blas;

/**
 * The fat jar for spark-submit: what is in it, that it stays small, that it runs beside exactly the
 * jars a Spark installation provides, and that the libraries it relocates and the trainer's BLAS
 * natives work there. Runs with the cluster tests, after the jar is built.
 */
class FatJarTest {
    /** spark-submit ships the jar to every executor; it was 156 MiB while it carried nd4j's unused natives. */
    private static final long MAX_SIZE_BYTES = 60L * 1024 * 1024;
    /** The ELF e_machine of each platform whose natives the jar carries: EMR's x86-64 and Graviton (arm64) nodes. */
    private static final Map<String, Integer> ELF_MACHINE_BY_PLATFORM = Map.of("linux-x86_64", 62, "linux-arm64", 183);
    private static final String NATIVE_LIBRARY = ".*\\.(so(\\.[0-9]+)*|dll|dylib|jnilib|a)";

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
    void staysWithinItsSizeBudget() throws IOException {
        long size = Files.size(fatJar);
        assertTrue(size <= MAX_SIZE_BYTES, () -> String.format("the fat jar is %.1f MiB, above its %d MiB budget: "
                + "look for natives or libraries the jobs never call", size / 1048576.0, MAX_SIZE_BYTES / 1048576));
    }

    @Test
    void holdsTheProjectButNothingSparkProvides() {
        for (String ours : List.of("org/recspark/jobs/RecSparkCli.class", "org/recspark/model/tensor/Blas.class",
                "org/recspark/config/proto/PipelineConfig.class",
                "org/recspark/shaded/protobuf/GeneratedMessage.class", "org/recspark/shaded/gson/Gson.class",
                "org/recspark/shaded/guava/collect/ImmutableList.class", "org/recspark/shaded/codec/digest/MurmurHash3.class")) {
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
        return runJava(List.of(), List.of(), "org.recspark.jobs.RecSparkCli", args);
    }

    /**
     * Runs {@code mainClass} in a JVM of its own with the launcher's JVM options and {@code jvmOptions}, on the fat
     * jar, the Spark classpath and then {@code extraClasspath}; fails unless it exits with 0, and returns its output.
     */
    private static String runJava(List<String> jvmOptions, List<Path> extraClasspath, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(Files.readString(launcherDir.resolve("jvm.options")).trim().split("\\s+")));
        command.addAll(jvmOptions);
        List<Path> classpath = new ArrayList<>(List.of(fatJar));
        classpath.addAll(sparkJars);
        classpath.addAll(extraClasspath);
        command.add("-cp");
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(mainClass);
        command.addAll(List.of(args));
        String what = mainClass + " " + String.join(" ", args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), what + " did not finish");
        assertEquals(0, process.exitValue(), what + ":\n" + output);
        return output;
    }

    /**
     * The natives are the trainer's BLAS and nothing else: OpenBLAS without LAPACK and JavaCPP's own JNI
     * library, for x86-64 and arm64, each built for its machine. nd4j is not called at run time (the
     * trainer calls OpenBLAS through JavaCPP), so neither its classes nor its 308 MB libnd4jcpu are here.
     */
    @Test
    void carriesTheBlasNativesOfBothLinuxPlatformsAndNoOthers() throws IOException {
        try (JarFile jar = new JarFile(fatJar.toFile())) {
            for (Map.Entry<String, Integer> platform : ELF_MACHINE_BY_PLATFORM.entrySet()) {
                for (String library : List.of("org/bytedeco/openblas/%s/libopenblas.so.0",
                        "org/bytedeco/openblas/%s/libjniopenblas_nolapack.so", "org/bytedeco/javacpp/%s/libjnijavacpp.so")) {
                    String name = library.formatted(platform.getKey());
                    JarEntry entry = jar.getJarEntry(name);
                    assertTrue(entry != null, "the fat jar lacks " + name);
                    assertEquals(platform.getValue(), elfMachine(jar, entry), name + "'s ELF machine");
                }
            }
        }
        List<String> others = entries.stream().filter(e -> e.matches(NATIVE_LIBRARY))
                .filter(e -> !e.matches("org/bytedeco/(openblas|javacpp)/linux-(x86_64|arm64)/[^/]+")
                        || e.endsWith("/libjniopenblas.so"))
                .sorted().toList();
        assertEquals(List.of(), others, "natives the jobs never load");
        assertEquals(List.of(), entries.stream().filter(e -> e.contains("nd4j")).sorted().limit(3).toList(), "nd4j in the fat jar");
    }

    private static int elfMachine(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            byte[] header = in.readNBytes(20);
            assertTrue(header.length == 20 && header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F',
                    entry.getName() + " is not an ELF file");
            return (header[18] & 0xff) | (header[19] & 0xff) << 8;
        }
    }

    /** No class of the project refers to nd4j, which the fat jar leaves out: such a call would fail on the cluster. */
    @Test
    void noProjectClassRefersToNd4j() throws IOException {
        List<String> referring = new ArrayList<>();
        try (JarFile jar = new JarFile(fatJar.toFile())) {
            for (JarEntry entry : jar.stream().filter(e -> e.getName().startsWith("org/recspark/") && e.getName().endsWith(".class")).toList()) {
                try (InputStream in = jar.getInputStream(entry)) {
                    // Byte for byte, so the constant pool's class names can be searched as text.
                    if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("org/nd4j/")) {
                        referring.add(entry.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), referring);
    }

    /** The trainer's GEMM, in a JVM on the fat jar and the Spark classpath alone: its natives load from the jar. */
    @Test
    void trainerBlasRunsFromTheFatJar() throws IOException, InterruptedException, URISyntaxException {
        Path cache = Path.of(System.getProperty("recspark.clusterTestDir")).resolve("javacpp-cache");
        StandaloneCluster.deleteRecursively(cache);
        Path probe = Path.of(GemmProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String output = runJava(List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), List.of(probe), GemmProbe.class.getName());
        assertEquals(Loader.getPlatform() + " [58.0, 64.0, 139.0, 154.0]", output.strip());
        // JavaCPP extracts what it loads under a directory named after the jar it comes from.
        Path jni = cache.resolve(fatJar.getFileName().toString()).resolve("org/bytedeco/openblas")
                .resolve(Loader.getPlatform()).resolve("libjniopenblas_nolapack.so");
        assertTrue(Files.isRegularFile(jni), "OpenBLAS was not loaded from the fat jar: no " + jni);
    }

    /** Run by {@link #trainerBlasRunsFromTheFatJar()}: prints the platform and C = A B for a 2 x 3 A and a 3 x 2 B. */
    static final class GemmProbe {
        private GemmProbe() {
        }

        public static void main(String[] args) {
            float[] c = new float[4];
            Blas.gemm(false, false, 2, 2, 3, 1, new float[] {1, 2, 3, 4, 5, 6}, new float[] {7, 8, 9, 10, 11, 12}, 0, c);
            System.out.println(Loader.getPlatform() + " " + Arrays.toString(c));
        }
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
