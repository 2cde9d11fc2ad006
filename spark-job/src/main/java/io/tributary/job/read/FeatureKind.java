package io.tributary.job.read;

/** How one example's features are stored in a table's row, and so how an executor reads them. */
enum FeatureKind {
    /** An array of integral or floating-point numbers (read as floats). */
    NUMBERS(false),
    /** A Spark ML (or MLlib) Vector, dense or sparse (read as floats). */
    VECTOR(false),
    /** Raw unsigned bytes (kept as bytes). */
    BINARY(true),
    /** Spark's image struct: BGR(A) bytes interleaved row by row (reordered to RGB(A), channel-major). */
    IMAGE(true),
    /** CSV: one column per feature, every column but the label's. */
    CSV_COLUMNS(false),
    /** CSV: one field holding all features, separated by spaces or semicolons. */
    CSV_DELIMITED(false);

    private final boolean bytes;

    FeatureKind(boolean bytes) {
        this.bytes = bytes;
    }

    /** True when the features stay unsigned bytes ({@link ExampleRows#byteFeatures()}). */
    boolean bytes() {
        return bytes;
    }

    boolean csv() {
        return this == CSV_COLUMNS || this == CSV_DELIMITED;
    }
}
