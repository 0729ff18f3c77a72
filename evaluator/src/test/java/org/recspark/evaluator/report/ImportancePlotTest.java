package org.recspark.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportancePlotTest {
    private static final List<ImportancePlot.Bar> BARS = List.of(new ImportancePlot.Bar("interest_match", 0.24, 0.005),
            new ImportancePlot.Bar("category_affinity", 0.02, 0.002), new ImportancePlot.Bar("hour", -0.002, 0.005));

    @Test
    void oneRowPerBarAndABarAsLongAsItsMean(@TempDir Path dir) throws IOException {
        Path png = ImportancePlot.write("Permutation importance", "AUC drop", BARS, dir.resolve("out/features.png"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(ImportancePlot.WIDTH, image.getWidth());
        assertEquals(40 + 3 * ImportancePlot.ROW_HEIGHT + 50, image.getHeight());
        // The first bar's row, right of the labels, is mostly bar colour; the second's much less so.
        assertTrue(barPixels(image, 0) > 5 * barPixels(image, 1), barPixels(image, 0) + " vs " + barPixels(image, 1));
        assertNotEquals(0, barPixels(image, 1));
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of("features.png"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static int barPixels(BufferedImage image, int row) {
        int y = 40 + row * ImportancePlot.ROW_HEIGHT + ImportancePlot.ROW_HEIGHT / 2 - 3;
        int count = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            if ((image.getRGB(x, y) & 0xFFFFFF) == 0x426EE6) {
                count++;
            }
        }
        return count;
    }

    @Test
    void ticksAreRoundSteps() {
        assertEquals(0.05, ImportancePlot.tickStep(0.048), 1e-12);
        assertEquals(0.025, ImportancePlot.tickStep(0.021), 1e-12);
        assertEquals(1.0, ImportancePlot.tickStep(1.0), 1e-12);
        assertEquals(10.0, ImportancePlot.tickStep(5.5), 1e-12);
    }

    @Test
    void refusesNothingToDrawAndNonFiniteBars(@TempDir Path dir) {
        assertEquals("importance plot needs at least one bar, got none", assertThrows(IllegalArgumentException.class,
                () -> ImportancePlot.write("t", "x", List.of(), dir.resolve("x.png"))).getMessage());
        assertEquals("bar 'f' needs a finite mean and a finite std >= 0, got NaN +- 0.0",
                assertThrows(IllegalArgumentException.class, () -> new ImportancePlot.Bar("f", Double.NaN, 0)).getMessage());
        assertFalse(Files.exists(dir.resolve("x.png")));
    }
}
