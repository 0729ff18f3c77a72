package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every notebook's Java cells (notebooks/*.ipynb, JShell snippets for the rapaio Java kernel) compile
 * against the current code: each notebook's cells go in order through one JShell, as the kernel runs
 * them, whose execution engine runs nothing, so the test needs neither Spark nor the outputs of the
 * notebooks before it. The classpath is the tests' (the kernel's, {@code spark-jobs/target/classes}
 * and its runtime dependencies, plus test-only jars) and the kernel jar for its {@code Global.display}.
 * Running them is {@code notebooks/run}'s job.
 */
class NotebookCellsCompileTest {
    private static final Logger LOG = LoggerFactory.getLogger(NotebookCellsCompileTest.class);
    private static final Path NOTEBOOKS = Path.of(System.getProperty("recspark.repo.root", "..")).resolve("notebooks");

    static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(".ipynb")).sorted().toList();
            assertTrue(found.size() >= 6, "expected the six walkthrough notebooks in " + NOTEBOOKS + ", found " + found);
            return found;
        }
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void everyCodeCellCompiles(Path notebook) throws IOException {
        List<String> problems = new ArrayList<>();
        int snippets = 0;
        long started = System.nanoTime();
        try (JShell shell = JShell.builder().executionEngine(new CompileOnly(), Map.of()).build()) {
            shell.addToClasspath(classpath());
            JsonObject nb = JsonParser.parseString(Files.readString(notebook, StandardCharsets.UTF_8)).getAsJsonObject();
            int index = 0;
            for (JsonElement element : nb.getAsJsonArray("cells")) {
                JsonObject cell = element.getAsJsonObject();
                String where = notebook.getFileName() + " cell " + index++;
                if (cell.get("cell_type").getAsString().equals("code")) {
                    snippets += compileCell(shell, where, source(cell), problems);
                }
            }
        }
        LOG.info("{}: {} snippets compiled in {} ms", notebook.getFileName(), snippets, (System.nanoTime() - started) / 1_000_000);
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) compiling " + notebook + " against the current code:\n  " + String.join("\n  ", problems));
        }
    }

    /** Evaluates a cell's snippets in order; returns how many there were. */
    private static int compileCell(JShell shell, String where, String source, List<String> problems) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = source;
        int count = 0;
        while (!remaining.isBlank()) {
            int line = lineOf(source, source.length() - remaining.length() + leadingWhitespace(remaining));
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || info.completeness() == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                problems.add(where + " line " + line + ": an incomplete snippet (" + info.completeness() + "): " + firstLine(remaining));
                break;
            }
            count++;
            for (SnippetEvent event : shell.eval(info.source())) {
                if (event.causeSnippet() == null) {
                    problems.addAll(problemsOf(shell, event, where + " line " + line));
                }
            }
            remaining = info.remaining();
        }
        return count;
    }

    private static List<String> problemsOf(JShell shell, SnippetEvent event, String where) {
        Snippet snippet = event.snippet();
        List<String> out = new ArrayList<>();
        if (event.status() == Snippet.Status.REJECTED) {
            shell.diagnostics(snippet).filter(Diag::isError).forEach(d -> out.add(where + " (" + firstLine(snippet.source()) + "): "
                    + d.getMessage(Locale.ROOT).replace('\n', ' ')));
            if (out.isEmpty()) {
                out.add(where + ": rejected: " + firstLine(snippet.source()));
            }
        } else if (snippet instanceof DeclarationSnippet declaration && (event.status() == Snippet.Status.RECOVERABLE_DEFINED
                || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED)) {
            out.add(where + ": " + declaration.name() + " refers to what is not defined: "
                    + shell.unresolvedDependencies(declaration).collect(Collectors.joining(", ")));
        }
        return out;
    }

    /** The tests' classpath (Surefire's, also when it starts the JVM through a manifest-only jar) and the kernel jar. */
    private static String classpath() {
        String tests = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String kernel = System.getProperty("recspark.notebookKernel");
        assertTrue(kernel != null && Files.isRegularFile(Path.of(kernel)),
                "the Java kernel's jar (recspark.notebookKernel, copied by spark-jobs' build) is missing: " + kernel);
        return tests + File.pathSeparator + kernel;
    }

    private static String source(JsonObject cell) {
        JsonElement source = cell.get("source");
        // nbformat allows a string or a list of lines
        return source.isJsonArray() ? source.getAsJsonArray().asList().stream().map(JsonElement::getAsString).collect(Collectors.joining())
                : source.getAsString();
    }

    private static int lineOf(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }

    private static int leadingWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline) + " ...";
    }

    /**
     * An execution engine that loads and runs nothing, so JShell only compiles: a snippet's status and
     * diagnostics come from the compiler alone.
     */
    private static final class CompileOnly implements ExecutionControlProvider, ExecutionControl {
        @Override
        public String name() {
            return "compile-only";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return this;
        }

        @Override
        public void load(ClassBytecodes[] classes) {
        }

        @Override
        public void redefine(ClassBytecodes[] classes) {
        }

        @Override
        public String invoke(String className, String methodName) {
            return "";
        }

        @Override
        public String varValue(String className, String varName) {
            return "";
        }

        @Override
        public void addToClasspath(String path) {
        }

        @Override
        public void stop() {
        }

        @Override
        public Object extensionCommand(String command, Object arg) throws NotImplementedException {
            throw new NotImplementedException(command);
        }

        @Override
        public void close() {
        }
    }
}
