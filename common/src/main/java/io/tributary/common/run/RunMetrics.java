package io.tributary.common.run;

import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.JsonFields;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.json} of a run: the headline numbers, one object per epoch, the test set's report,
 * its confusion matrix, and the driver's footprint. The epochs and the test report keep the shape
 * their own types write ({@code EpochResult}, {@code ClassificationReport}).
 *
 * @param confusion {@code confusion_matrix} (dense) or {@code confusion_cells} (many classes): the one
 *                  entry {@code ClassificationReport.putConfusion} put; empty when the file has none
 * @param skippedRecords bad records skipped under the bad-record policy; {@code null} in files from
 *                       before the field
 */
public record RunMetrics(double testAccuracy, double trainLoss, double examplesPerSecond, double trainSeconds,
                         double wallSeconds, List<Map<String, Object>> epochs, Map<String, Object> test,
                         Map<String, Object> confusion, double secondsToFirstStep, double cachedBatchesMb,
                         Driver driver, Long skippedRecords) {
    /** The file's name in a run directory. */
    public static final String FILE = "metrics.json";
    /** The schema this build writes; it reads this one and older ones. */
    public static final int SCHEMA_VERSION = 1;
    private static final List<String> CONFUSION_FIELDS = List.of("confusion_matrix", "confusion_cells");

    /**
     * The driver's JVM over the run: peak resident memory, peak heap (the sum of the heap pools'
     * peaks, an upper bound) and maximum heap in MiB, and the bytes it read through Hadoop filesystems.
     */
    public record Driver(double peakRssMb, double peakHeapMb, double maxHeapMb, long filesystemBytesRead) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peak_rss_mb", peakRssMb);
            m.put("peak_heap_mb", peakHeapMb);
            m.put("max_heap_mb", maxHeapMb);
            m.put("filesystem_bytes_read", filesystemBytesRead);
            return m;
        }

        static Driver from(JsonFields f) {
            Long read = f.whole("filesystem_bytes_read");
            return new Driver(f.number("peak_rss_mb"), f.number("peak_heap_mb"), f.number("max_heap_mb"),
                    read == null ? -1 : read);
        }
    }

    /** The file's content, with {@code schema_version} first and the field names of every version. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("test_accuracy", testAccuracy);
        m.put("train_loss", trainLoss);
        m.put("examples_per_second", examplesPerSecond);
        m.put("train_seconds", trainSeconds);
        m.put("wall_seconds", wallSeconds);
        m.put("epochs", epochs);
        m.put("test", test);
        m.putAll(confusion);
        m.put("seconds_to_first_step", secondsToFirstStep);
        m.put("cached_batches_mb", cachedBatchesMb);
        if (driver != null) m.put("driver", driver.toMap());
        if (skippedRecords != null) m.put("skipped_records", skippedRecords);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one. */
    public static RunMetrics from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        Map<String, Object> confusion = new LinkedHashMap<>();
        for (String field : CONFUSION_FIELDS) {
            if (f.has(field)) confusion.put(field, f.list(field));
        }
        JsonFields driver = f.nested("driver");
        List<Map<String, Object>> epochs = f.objects("epochs");
        Map<String, Object> test = f.object("test");
        return new RunMetrics(f.number("test_accuracy"), f.number("train_loss"), f.number("examples_per_second"),
                f.number("train_seconds"), f.number("wall_seconds"), epochs == null ? List.of() : epochs,
                test == null ? Map.of() : test, confusion, f.number("seconds_to_first_step"),
                f.number("cached_batches_mb"), driver == null ? null : Driver.from(driver), f.whole("skipped_records"));
    }

    /** The metrics in {@code dir}, or {@code null} when it holds none. */
    public static RunMetrics read(HadoopFs.Location dir) {
        JsonFields f = JsonFields.readIfExists(dir.child(FILE), "Run metrics");
        return f == null ? null : from(f);
    }
}
