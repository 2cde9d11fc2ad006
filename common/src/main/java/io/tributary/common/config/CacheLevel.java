package io.tributary.common.config;

/** Where executors keep their batches between epochs. */
public enum CacheLevel {
    /** On the heap, serialized (compact). */
    MEMORY("memory"),
    /** In memory, spilling to local disk what does not fit. */
    MEMORY_AND_DISK("memory-and-disk"),
    /** On executors' local disks: data larger than the executors' memory. */
    DISK("disk"),
    /** Not kept: each epoch reads the data again. */
    NONE("none");

    private final String label;

    CacheLevel(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
