package io.tributary.tests;

import io.tributary.job.report.RunReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A report for a run whose paths, config values and data names carry HTML and JavaScript: the page shows
 * them as text. Checked in the HTML and in headless Chromium's DOM after the page has loaded, where each
 * payload, had it run, would have rewritten the document's title.
 */
@Tag("security")
class ReportInjectionTest {
    private static final String SCRIPT = "<script>document.title='pwned-script'</script>";
    private static final String IMG = "\"><img src=x onerror=\"document.title='pwned-img'\">";
    private static final String SVG = "'><svg onload=document.title='pwned-svg'>";

    @TempDir
    Path tmp;

    @Test
    void payloadsInPathsConfigAndDataNamesAreShownAsText() throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("data", "hdfs://nn/data/" + IMG);
        config.put("output", "/runs/" + SCRIPT);
        config.put("model", "seed-cnn" + SVG);
        config.put("epochs", 1);
        config.put("shared-aeron-dir", "/dev/shm/" + SCRIPT);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created", "2026-12-01T00:00:00Z" + IMG);
        metadata.put("git_revision", SCRIPT);
        metadata.put("config", config);
        metadata.put("model", Map.of("name", "seed-cnn", "parameters", 1000));
        metadata.put("data", Map.of("location", "/data/" + SCRIPT, "sha256", "ab" + SVG,
                "files", Map.of("train-images-idx3-ubyte" + IMG, "cd")));
        metadata.put("spark", Map.of("master", "local[2]" + SCRIPT));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", 0.5);
        metrics.put("epochs", List.of(Map.of("epoch", 1, "train_loss", 1.0, "test_loss", 1.1,
                "train_accuracy", 0.5, "test_accuracy", 0.5, "examples", 100, "seconds", 1.0,
                "examples_per_second", 100.0)));
        metrics.put("test", Map.of("examples", 10, "per_class", List.of(
                Map.of("label", 0, "precision", 0.5, "recall", 0.5, "f1", 0.5, "support", 5),
                Map.of("label", 1, "precision", 0.5, "recall", 0.5, "f1", 0.5, "support", 5))));
        metrics.put("confusion_matrix", new long[][] {{3, 2}, {2, 3}});

        String html = RunReport.html(metrics, metadata);
        assertFalse(html.contains("<script"), "a script element in the page");
        assertFalse(html.contains("<img src=x"), "an img element from a value");
        assertFalse(html.contains("<svg onload"), "an svg element from a value");

        Path report = Files.writeString(tmp.resolve(RunReport.FILE), html);
        String dom = Chromium.run(report, tmp, "--virtual-time-budget=3000", "--dump-dom");
        Matcher title = Pattern.compile("(?s)<title>(.*?)</title>").matcher(dom);
        assertTrue(title.find(), dom);
        // A payload that ran would have set the title to exactly its pwned-... name.
        assertTrue(title.group(1).startsWith("Tributary run: "), "a payload ran: the title is " + title.group(1));
        assertTrue(title.group(1).contains("seed-cnn'&gt;&lt;svg onload="), title.group(1));
        assertFalse(dom.contains("<script"), "the DOM holds a script element");
        assertFalse(dom.contains("<img src=\"x\""), "the DOM holds an img element from a value");
        assertTrue(dom.contains("/runs/&lt;script&gt;document.title='pwned-script'&lt;/script&gt;"),
                "the output path is shown as text");
        // Quotes of both kinds are escaped too, so a value is safe in any attribute, however quoted.
        assertTrue(html.contains("&lt;script&gt;document.title=&#39;pwned-script&#39;&lt;/script&gt;"), html);
        assertTrue(html.contains("&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;pwned-img&#39;&quot;&gt;"));
    }
}
