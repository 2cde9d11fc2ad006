package io.tributary.common.model;

import io.tributary.common.store.ModelStore;

/**
 * The name of a run's model file, kept here only until its last user moves to
 * {@link ModelStore#MODEL_FILE}; models are written and read by {@link ModelStore} alone.
 */
@Deprecated(forRemoval = true)
public final class ModelFiles {
    public static final String MODEL_FILE = ModelStore.MODEL_FILE;

    private ModelFiles() {
    }
}
