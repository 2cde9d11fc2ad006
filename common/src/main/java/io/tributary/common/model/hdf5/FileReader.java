package io.tributary.common.model.hdf5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the file's structures by address: each read lies within the file's declared end (which lies
 * within the file), no structure is read twice (a second visit is a cycle or a shared structure, which
 * the files this reader accepts never have), and the bytes read for structure in all stay within
 * {@link #MAX_METADATA_BYTES}. Addresses are relative to the superblock, as the HDF5 library reads them.
 */
final class FileReader {
    /** Far more structure than a Keras model's file has (its model_config is capped at 16 MiB). */
    static final long MAX_METADATA_BYTES = 96L << 20;

    private final FileChannel channel;
    private final long base;
    private final long end;
    private final Set<Long> visited = new HashSet<>();
    private final Map<Long, GlobalHeap> heaps = new HashMap<>();
    private final Map<Long, LocalHeap> localHeaps = new HashMap<>();
    private Hdf5File.Sizes sizes;
    private long metadataBytes;

    /**
     * @param base the superblock's position in the file
     * @param end  the file's declared end, relative to {@code base} (within the file)
     */
    FileReader(FileChannel channel, long base, long end) {
        this.channel = channel;
        this.base = base;
        this.end = end;
    }

    /** A reader of the same file through {@code other}, for values (its caches and budget are its own). */
    FileReader reopened(FileChannel other) {
        FileReader r = new FileReader(other, base, end);
        r.sizes(sizes);
        return r;
    }

    void sizes(Hdf5File.Sizes sizes) {
        this.sizes = sizes;
    }

    Hdf5File.Sizes sizes() {
        return sizes;
    }

    /** The declared end of the file, relative to the superblock. */
    long end() {
        return end;
    }

    /** Refuses {@code [address, address + length)} unless it lies within the file. */
    void within(String object, long address, long length, String what) {
        if (address == Hdf5File.UNDEFINED || address < 0 || length < 0 || address > end || length > end - address) {
            throw new Hdf5Exception(object, "declares " + what + " at bytes " + Long.toUnsignedString(address) + " to "
                    + Long.toUnsignedString(address + length) + ", outside the file's " + end + " bytes");
        }
    }

    /** Refuses a second visit to the structure at {@code address}. */
    void visit(String object, long address, String what) {
        if (!visited.add(address)) {
            throw new Hdf5Exception(object, "reaches " + what + " at byte " + address + " a second time (a cycle, or a"
                    + " structure shared by two objects), which files written by h5py never have");
        }
    }

    /** The {@code length} bytes at {@code address}, within the file and the budget for structure. */
    Block read(String object, long address, long length, String what) {
        within(object, address, length, what);
        if (length > MAX_METADATA_BYTES - metadataBytes) {
            throw new Hdf5Exception(object, "makes the reader read more than " + (MAX_METADATA_BYTES >> 20)
                    + " MiB of file structure (at " + what + "), far more than a Keras model's file holds");
        }
        metadataBytes += length;
        byte[] bytes = new byte[(int) length];
        readFully(ByteBuffer.wrap(bytes), address);
        return new Block(object, address, bytes, 0, bytes.length, sizes);
    }

    /** Reads into {@code buffer} from {@code address} (within the file), for data that is checked, not kept. */
    void readFully(ByteBuffer buffer, long address) {
        try {
            long at = base + address;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, at);
                if (n < 0) {
                    throw new IOException("the file ended at byte " + at);
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The global heap collection at {@code address}, read once. */
    GlobalHeap globalHeap(String object, long address) {
        GlobalHeap heap = heaps.get(address);
        if (heap == null) {
            heap = GlobalHeap.read(this, object, address);
            heaps.put(address, heap);
        }
        return heap;
    }

    /** The local heap at {@code address} (an old-style group's link names), read once. */
    LocalHeap localHeap(String object, long address) {
        LocalHeap heap = localHeaps.get(address);
        if (heap == null) {
            heap = LocalHeap.read(this, object, address);
            localHeaps.put(address, heap);
        }
        return heap;
    }
}
