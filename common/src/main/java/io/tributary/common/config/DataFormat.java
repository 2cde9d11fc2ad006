package io.tributary.common.config;

/** How the data under {@code --data} is stored. */
public enum DataFormat {
    /** Detected from the location's content. */
    AUTO("auto"),
    /** MNIST-format IDX files: train-/t10k- images and labels, optionally gzipped. */
    IDX("idx"),
    PARQUET("parquet"),
    ORC("orc"),
    /** CSV with a header row. */
    CSV("csv"),
    /** One subdirectory per class holding JPEG, PNG, GIF or BMP files. */
    IMAGES("images"),
    /** A Spark table, {@code --data table:NAME}. */
    TABLE("table");

    private final String label;

    DataFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
