package io.tributary.job.read;

import java.util.Locale;

/**
 * The bytes an executor JVM spends decoding images at once: at most a quarter of its heap, shared
 * by every task decoding in it, so that however many tasks an executor runs, the images they hold
 * (file bytes and decoded raster) never add up to more than its heap can take. A task waits for
 * its share; an image that needs more than the whole budget is refused.
 */
final class DecodeBudget {
    private static final long TOTAL = Runtime.getRuntime().maxMemory() / 4;
    private static long inUse;

    private DecodeBudget() {
    }

    /** Reserves {@code bytes}, waiting while other tasks hold too much; release with {@link #release}. */
    static synchronized void acquire(long bytes) throws BadImageException, InterruptedException {
        if (bytes > TOTAL) {
            throw new BadImageException(String.format(Locale.ROOT, "needs %,d bytes to read and decode, more than"
                    + " this executor decodes at once (a quarter of its %,d MiB heap); give the executors more memory",
                    bytes, Runtime.getRuntime().maxMemory() >> 20));
        }
        while (inUse + bytes > TOTAL) {
            DecodeBudget.class.wait();
        }
        inUse += bytes;
    }

    static synchronized void release(long bytes) {
        inUse -= bytes;
        DecodeBudget.class.notifyAll();
    }
}
