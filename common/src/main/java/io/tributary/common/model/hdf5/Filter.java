package io.tributary.common.model.hdf5;

import java.util.ArrayList;
import java.util.List;

/**
 * One filter of a dataset's filter pipeline (File Format Specification 3.0, IV.A.2.l). Only deflate
 * (1) and shuffle (2) are accepted: the HDF5 library has both built in, while any other filter is
 * either a checksum or transform Keras does not write, or a plugin the library would load as code.
 *
 * @param id the filter's identifier
 */
public record Filter(int id) {
    static final int DEFLATE = 1;
    static final int SHUFFLE = 2;
    static final int MAX_FILTERS = 32;
    private static final String[] NAMES = {"", "deflate", "shuffle", "Fletcher32", "szip", "nbit", "scaleoffset"};

    /** Reads a filter pipeline message; refuses a filter other than deflate and shuffle, or deflate twice. */
    static List<Filter> read(Block b) {
        int version = b.u8("filter pipeline version");
        int count = b.u8("filter count");
        if (version != 1 && version != 2) {
            throw b.malformed("filter pipeline version " + version + " is neither 1 nor 2");
        }
        if (count > MAX_FILTERS) {
            throw b.malformed("filter pipeline of " + count + " filters");
        }
        if (version == 1) {
            b.skip(6, "filter pipeline reserved bytes");
        }
        List<Filter> filters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int id = b.u16("filter identifier");
            int nameLength = version == 1 || id >= 256 ? b.u16("filter name length") : 0;
            b.u16("filter flags");
            int values = b.u16("filter client data count");
            if (version == 1 && nameLength % 8 != 0) {
                throw b.malformed("filter name length " + nameLength + " is not a multiple of 8");
            }
            b.skip(nameLength, "filter name");
            b.skip(4L * values, "filter client data");
            if (version == 1 && values % 2 == 1) {
                b.skip(4, "filter client data padding");
            }
            if (id != DEFLATE && id != SHUFFLE) {
                throw b.refuse("is stored through filter " + id + (id < NAMES.length ? " (" + NAMES[id] + ")" : "")
                        + "; only deflate (1) and shuffle (2) are read, since other filters are plugins the HDF5"
                        + " library would load as code or features Keras does not write");
            }
            if (filters.contains(new Filter(id))) {
                throw b.refuse("applies filter " + NAMES[id] + " twice, which h5py never writes");
            }
            filters.add(new Filter(id));
        }
        return List.copyOf(filters);
    }
}
