package io.tributary.common.config;

/**
 * What the labels of text data (CSV fields, string columns) are: class indices written as numbers,
 * or class names. {@link #AUTO} decides from the values and refuses a mix of the two, which would
 * otherwise turn every number into a name sorted as text.
 */
public enum LabelType {
    /** Indices when every label is a number, names when none is; a mix is refused. */
    AUTO("auto"),
    /** Every label is a class index 0..K-1; a label that is not an integer is a bad record. */
    INDEX("index"),
    /** Every label is a class name, numbers included; the classes are the names in sorted (text) order. */
    NAME("name");

    private final String label;

    LabelType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
