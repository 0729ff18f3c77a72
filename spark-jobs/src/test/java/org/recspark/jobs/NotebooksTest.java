package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed notebooks (notebooks/*.ipynb) as {@code notebooks/run} leaves them: valid nbformat 4
 * JSON for the project's Java kernel, every code cell executed with outputs and none an error, and
 * the plots embedded as PNG where the notebooks show plots, so they render on GitHub. Executing them
 * is {@code notebooks/run}'s job (it needs Jupyter and a few minutes); this only reads the files.
 */
class NotebooksTest {
    private static final Path NOTEBOOKS = Path.of(System.getProperty("recspark.repo.root", "..")).resolve("notebooks");
    /** Notebooks that must show at least one plot. */
    private static final List<String> WITH_PLOTS = List.of("01-sample-data.ipynb", "04-train-and-evaluate.ipynb",
            "05-hyper-parameter-search.ipynb");

    @Test
    void everyNotebookIsExecutedWithoutErrors() throws IOException {
        List<Path> notebooks = notebooks();
        assertTrue(notebooks.size() >= 6, "expected the six walkthrough notebooks in " + NOTEBOOKS + ", found " + notebooks);
        for (Path notebook : notebooks) {
            JsonObject nb = read(notebook);
            assertEquals(4, nb.get("nbformat").getAsInt(), notebook + ": nbformat");
            assertEquals("recspark-java", nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec").get("name").getAsString(),
                    notebook + ": kernelspec");
            int index = 0;
            for (JsonElement element : nb.getAsJsonArray("cells")) {
                JsonObject cell = element.getAsJsonObject();
                String where = notebook.getFileName() + " cell " + index++;
                if (!cell.get("cell_type").getAsString().equals("code")) {
                    continue;
                }
                assertFalse(cell.get("execution_count").isJsonNull(), where + " was not executed");
                JsonArray outputs = cell.getAsJsonArray("outputs");
                assertFalse(outputs.isEmpty(), where + " has no outputs");
                for (JsonElement output : outputs) {
                    String type = output.getAsJsonObject().get("output_type").getAsString();
                    if (type.equals("error")) {
                        fail(where + " failed: " + output.getAsJsonObject().get("ename").getAsString() + " "
                                + output.getAsJsonObject().get("evalue").getAsString());
                    }
                }
            }
        }
    }

    @Test
    void plotsAreEmbeddedAsPng() throws IOException {
        for (String name : WITH_PLOTS) {
            Path notebook = NOTEBOOKS.resolve(name);
            List<byte[]> images = pngOutputs(read(notebook));
            assertFalse(images.isEmpty(), name + " has no image/png output");
            for (byte[] png : images) {
                assertTrue(png.length > 1000 && png[0] == (byte) 0x89 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G',
                        name + ": an image/png output that is not a PNG image (" + png.length + " bytes)");
            }
        }
    }

    private static List<byte[]> pngOutputs(JsonObject nb) {
        List<byte[]> images = new ArrayList<>();
        for (JsonElement cell : nb.getAsJsonArray("cells")) {
            JsonArray outputs = cell.getAsJsonObject().getAsJsonArray("outputs");
            for (JsonElement output : outputs == null ? new JsonArray() : outputs) {
                JsonObject data = output.getAsJsonObject().getAsJsonObject("data");
                if (data != null && data.has("image/png")) {
                    JsonElement png = data.get("image/png");
                    // nbformat allows a string or a list of lines
                    String base64 = png.isJsonArray() ? String.join("", png.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList())
                            : png.getAsString();
                    images.add(Base64.getMimeDecoder().decode(base64));
                }
            }
        }
        return images;
    }

    private static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    private static JsonObject read(Path notebook) throws IOException {
        return JsonParser.parseString(Files.readString(notebook, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
