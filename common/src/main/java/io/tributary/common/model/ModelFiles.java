package io.tributary.common.model;

import io.tributary.common.InputException;
import io.tributary.common.io.HadoopFs;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/** Loads models saved in DL4J's ModelSerializer format from any Hadoop filesystem. */
public final class ModelFiles {
    public static final String MODEL_FILE = "model.zip";

    private ModelFiles() {
    }

    /**
     * Loads a model. {@code location} may name the zip itself or a run directory holding {@code model.zip}.
     */
    public static MultiLayerNetwork load(HadoopFs.Location location) {
        HadoopFs.Location file = location;
        try {
            if (location.fs().getFileStatus(location.path()).isDirectory()) {
                file = location.child(MODEL_FILE);
            }
            try (InputStream in = file.fs().open(file.path())) {
                return ModelSerializer.restoreMultiLayerNetwork(in, true);
            }
        } catch (FileNotFoundException e) {
            throw new InputException("Model " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            if (e instanceof InputException ie) throw ie;
            throw new InputException("Model " + file + " cannot be loaded as a DL4J MultiLayerNetwork zip: "
                    + HadoopFs.describe(e));
        }
    }
}
