package io.tributary.common.config;

/** Which split of an IDX directory {@code evaluate} and {@code predict} read. */
public enum DataSplit {
    /** The {@code t10k} files. */
    TEST("test"),
    /** The {@code train} files. */
    TRAIN("train");

    private final String label;

    DataSplit(String label) {
        this.label = label;
    }

    /** The name used on the command line. */
    public String label() {
        return label;
    }
}
