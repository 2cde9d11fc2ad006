package io.tributary.common.model.hdf5;

/**
 * A file that {@link Hdf5File} refuses: {@link #object()} names where (an object's path, or the
 * superblock), {@link #getMessage()} says what is wrong and the rule, as the end of one sentence.
 */
public final class Hdf5Exception extends RuntimeException {
    private final String object;

    Hdf5Exception(String object, String problem) {
        super(problem);
        this.object = object;
    }

    /** The object (a path such as {@code /model_weights/dense/dense/kernel:0}) or the part of the file. */
    public String object() {
        return object;
    }
}
