package io.tributary.common.data;

/**
 * How many bytes of examples a process may read whole into its heap ({@link IdxDirectory#read}: only
 * {@code tributary bench}'s single-process baseline does; training reads on the executors): a quarter
 * of the heap it has free when the read starts, since it holds a split about three times (the bytes
 * read, the batches cut from them, and their copies), so that peak stays inside the heap instead of
 * ending in an OutOfMemoryError.
 *
 * @param freeHeap the heap free when measured, in bytes
 */
record HeapBudget(long freeHeap) {
    /** The share of free heap that one split may take. */
    static final int SHARE = 4;

    /** This JVM's free heap now: the maximum heap less what is in use. */
    static HeapBudget ofThisJvm() {
        Runtime rt = Runtime.getRuntime();
        return new HeapBudget(rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()));
    }

    /** The bytes of examples that fit. */
    long bytes() {
        return freeHeap / SHARE;
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
