package io.tributary.tests;

import io.tributary.common.data.IdxFixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run's report.html as a person sees it: rendered by headless Chromium (Debian's {@code chromium},
 * installed by deploy/setup.sh) into a screenshot whose pixels must show the charts: the heat map's
 * oranges and the chart series' blue. A chart that failed to decode shows neither.
 */
@Tag("heavy")
class ReportRenderTest {
    @TempDir
    Path tmp;

    @Test
    void theReportOfARunRendersItsChartsInHeadlessChromium() throws Exception {
        Path data = IdxFixtures.writeLearnable(tmp.resolve("data"), 600, 200, 28, 3, false);
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.inProcess("train", "--data", data.toString(), "--output", run.toString(), "--epochs", "2",
                "--master", "local[2]", "--batch-size-per-worker", "32", "--train-eval-examples", "200");
        assertEquals(0, r.code(), r.all());
        Path report = run.resolve("report.html");
        String html = Files.readString(report);
        for (String section : List.of("Learning curves", "Test set: 200 examples", "Throughput and memory",
                "Configuration", "Provenance", "batch-size-per-worker")) {
            assertTrue(html.contains(section), section);
        }
        assertFalse(html.contains("<script"), "the report runs no scripts");
        assertFalse(html.matches("(?s).*(src|href)=\"https?:.*"), "the report fetches nothing");

        Path png = tmp.resolve("report.png");
        Chromium.run(report, tmp, "--window-size=1300,1900", "--screenshot=" + png);
        BufferedImage shot = ImageIO.read(png.toFile());
        assertEquals(1300, shot.getWidth());

        long orange = 0;
        long blue = 0;
        long nonWhite = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int rgb = shot.getRGB(x, y);
                int red = (rgb >> 16) & 0xff;
                int green = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (red > 200 && green > 60 && green < 200 && b < 120) orange++;
                if (b > 200 && red < 130 && green < 160) blue++;
                if (red < 240 || green < 240 || b < 240) nonWhite++;
            }
        }
        long pixels = (long) shot.getWidth() * shot.getHeight();
        assertTrue(orange > 5_000, "heat map cells: " + orange + " orange pixels");
        assertTrue(blue > 5_000, "chart series: " + blue + " blue pixels");
        assertTrue(nonWhite > pixels / 20, "rendered content: " + nonWhite + " of " + pixels + " pixels");
    }
}
