package io.tributary.job.ml;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import io.tributary.common.io.Json;
import io.tributary.common.io.JsonFields;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * {@value #FILE} in a saved {@link TributaryClassificationModel}'s data directory: the classes it
 * predicts and, when its fit held data out, the accuracy there. Spark ML's own metadata holds the
 * parameters; the network is the {@code model.zip} beside this file.
 *
 * @param heldOutAccuracy NaN when the fit held nothing out
 */
record SavedModelSummary(int numClasses, double heldOutAccuracy) {
    static final String FILE = "tributary.json";
    /** The schema this build writes; it reads this one and older ones. */
    static final int SCHEMA_VERSION = 1;

    /** The file's content, with {@code schema_version} first. */
    Map<String, Object> toMap() {
        Map<String, Object> m = JsonFields.versioned(SCHEMA_VERSION);
        m.put("num_classes", numClasses);
        if (!Double.isNaN(heldOutAccuracy)) m.put("held_out_accuracy", heldOutAccuracy);
        return m;
    }

    /** Reads what {@link #toMap} wrote, in this schema version or an older one; {@code num_classes} must be positive. */
    static SavedModelSummary from(JsonFields f) {
        f.schemaVersion(SCHEMA_VERSION);
        long classes = f.requiredWhole("num_classes");
        if (classes < 1) {
            throw new InputException(f.where() + ": field \"num_classes\" is " + classes + ", not a positive number");
        }
        return new SavedModelSummary((int) classes, f.number("held_out_accuracy"));
    }

    /** The summary in the data directory {@code data}; an input error when it is missing or unreadable. */
    static SavedModelSummary read(HadoopFs.Location data) {
        HadoopFs.Location file = data.child(FILE);
        try (InputStream in = file.fs().open(file.path())) {
            return from(new JsonFields(Json.readMap(in.readAllBytes()), "Saved model summary " + file));
        } catch (FileNotFoundException e) {
            throw new InputException("Saved model summary " + file + " does not exist: " + data
                    + " was not written by TributaryClassificationModel.write()");
        } catch (IOException e) {
            throw new InputException("Cannot read " + file + ": " + HadoopFs.describe(e));
        }
    }
}
