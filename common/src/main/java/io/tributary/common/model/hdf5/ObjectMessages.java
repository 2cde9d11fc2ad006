package io.tributary.common.model.hdf5;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One object's header messages sorted by what they say: a group (a symbol table, or link messages),
 * or a dataset (dataspace, datatype, layout, filters, fill value), and its attributes. An object that
 * is both or neither (a committed datatype, say), a message that appears twice where HDF5 allows one,
 * or external storage is refused.
 */
final class ObjectMessages {
    private final String path;
    private final Map<Integer, ObjectHeader.Message> single = new LinkedHashMap<>();
    private final List<ObjectHeader.Message> links = new ArrayList<>();
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();

    private ObjectMessages(String path) {
        this.path = path;
    }

    static ObjectMessages of(FileReader reader, String path, List<ObjectHeader.Message> messages) {
        ObjectMessages m = new ObjectMessages(path);
        for (ObjectHeader.Message message : messages) {
            Block data = message.data();
            switch (message.type()) {
                case ObjectHeader.LINK -> m.links.add(message);
                case ObjectHeader.ATTRIBUTE -> {
                    Attribute a = Attribute.read(reader, path, data);
                    if (m.attributes.put(a.name(), a) != null) {
                        throw data.malformed("two attributes named \"" + a.name() + "\"");
                    }
                }
                case ObjectHeader.EXTERNAL_FILES -> throw external(reader, path, data);
                case ObjectHeader.COMMENT -> data.cString(data.remaining(), "a comment");
                case ObjectHeader.MODIFICATION_TIME, ObjectHeader.MODIFICATION_TIME_OLD, ObjectHeader.REFERENCE_COUNT -> {
                }
                default -> {
                    if (m.single.put(message.type(), message) != null) {
                        throw data.malformed("two header messages of type " + message.type());
                    }
                }
            }
        }
        ObjectHeader.Message info = m.single.get(ObjectHeader.ATTRIBUTE_INFO);
        if (info != null) {
            attributeInfo(info.data());
        }
        boolean group = m.single.containsKey(ObjectHeader.SYMBOL_TABLE) || m.single.containsKey(ObjectHeader.LINK_INFO)
                || !m.links.isEmpty();
        boolean dataset = m.single.containsKey(ObjectHeader.LAYOUT);
        if (group == dataset) {
            throw new Hdf5Exception(path, group ? "is both a group and a dataset" : "is neither a group nor a dataset"
                    + " (a committed datatype, say), which files written by h5py for Keras do not hold");
        }
        if (group && m.single.containsKey(ObjectHeader.SYMBOL_TABLE) && !m.links.isEmpty()) {
            throw new Hdf5Exception(path, "is a group with both a symbol table and link messages");
        }
        return m;
    }

    boolean isGroup() {
        return !single.containsKey(ObjectHeader.LAYOUT);
    }

    Map<String, Attribute> attributes() {
        return Map.copyOf(attributes);
    }

    /** A group's members by name, each a hard link to an object header. */
    Map<String, Long> members(FileReader reader, Hdf5File.Ks ks) {
        Map<String, Long> members = new LinkedHashMap<>();
        ObjectHeader.Message table = single.get(ObjectHeader.SYMBOL_TABLE);
        if (table != null) {
            Links.symbolTable(reader, path, table.data(), ks, members);
        }
        ObjectHeader.Message info = single.get(ObjectHeader.LINK_INFO);
        if (info != null) {
            Links.linkInfo(info.data());
        }
        for (ObjectHeader.Message link : links) {
            Links.linkMessage(path, link.data(), members);
        }
        return members;
    }

    /** A dataset's description, its storage checked against the file. */
    Hdf5File.Dataset dataset(FileReader reader, Hdf5File.Ks ks, long chunksSoFar) {
        Dataspace space = Dataspace.read(required(ObjectHeader.DATASPACE, "dataspace").data());
        Datatype type = Datatype.read(required(ObjectHeader.DATATYPE, "datatype").data());
        Block layoutData = required(ObjectHeader.LAYOUT, "layout").data();
        Layout layout = Layout.read(layoutData, space.dims().length);
        ObjectHeader.Message pipeline = single.get(ObjectHeader.FILTER_PIPELINE);
        List<Filter> filters = pipeline == null ? List.of() : Filter.read(pipeline.data());
        fillValue(type);
        long bytes = Dataspace.multiply(layoutData, space.elements(), type.size());
        long stored = 0;
        List<Chunks.Chunk> chunks = List.of();
        if (!filters.isEmpty() && !(layout instanceof Layout.Chunked)) {
            throw layoutData.malformed("filters on a dataset whose storage is not chunked");
        }
        if (layout instanceof Layout.Compact compact) {
            if (compact.size() != bytes) {
                throw layoutData.refuse("keeps " + compact.size() + " bytes for " + space.shape() + " values of "
                        + type.size() + " bytes");
            }
        } else if (layout instanceof Layout.Contiguous contiguous) {
            long size = contiguous.size() < 0 ? bytes : contiguous.size();
            if (size != bytes) {
                throw layoutData.refuse("keeps " + size + " bytes for " + space.shape() + " values of " + type.size()
                        + " bytes");
            }
            if (contiguous.address() != Hdf5File.UNDEFINED) {
                reader.within(path, contiguous.address(), size, "its values");
                stored = size;
            }
        } else {
            Layout.Chunked chunked = (Layout.Chunked) layout;
            if (chunked.elementSize() != type.size()) {
                throw layoutData.malformed("chunks of " + chunked.elementSize() + "-byte elements for a datatype of "
                        + type.size() + " bytes");
            }
            chunks = Chunks.read(reader, path, layoutData, space, chunked, filters, chunksSoFar, ks);
            stored = chunks.stream().mapToLong(Chunks.Chunk::size).sum();
        }
        return new Hdf5File.Dataset(path, space, type, layout, filters, chunks, attributes(), stored);
    }

    private ObjectHeader.Message required(int type, String what) {
        ObjectHeader.Message m = single.get(type);
        if (m == null) {
            throw new Hdf5Exception(path, "is a dataset without a " + what + " message");
        }
        return m;
    }

    /** Refuses a fill value whose size is neither absent nor the datatype's, or that runs past its message. */
    private void fillValue(Datatype type) {
        ObjectHeader.Message m = single.get(ObjectHeader.FILL_VALUE);
        if (m == null) {
            m = single.get(ObjectHeader.FILL_VALUE_OLD);
            if (m == null) {
                return;
            }
            checkFillSize(m.data(), m.data().u32("fill value size"), type);
            return;
        }
        Block b = m.data();
        int version = b.u8("fill value version");
        long size = 0;
        if (version == 1 || version == 2) {
            b.skip(2, "fill value times");
            int defined = b.u8("fill value defined");
            if (version == 1 || defined != 0) {
                size = b.u32("fill value size");
            }
        } else if (version == 3) {
            int flags = b.u8("fill value flags");
            if ((flags & 0x20) != 0) {
                size = b.u32("fill value size");
            }
        } else {
            throw b.malformed("fill value version " + version + " is not 1 to 3");
        }
        checkFillSize(b, size, type);
    }

    private static void checkFillSize(Block b, long size, Datatype type) {
        if (size != 0 && size != type.size()) {
            throw b.malformed("a fill value of " + size + " bytes for a datatype of " + type.size());
        }
        b.skip(size, "fill value");
    }

    private static void attributeInfo(Block b) {
        if (b.u8("attribute info version") != 0) {
            throw b.malformed("attribute info version is not 0");
        }
        int flags = b.u8("attribute info flags");
        if ((flags & 0x01) != 0) {
            b.skip(2, "maximum creation index");
        }
        if (b.address("fractal heap address") != Hdf5File.UNDEFINED) {
            throw b.refuse("keeps its attributes in dense storage (a fractal heap), which h5py writes only in files"
                    + " made with libver=\"latest\"; save the model with h5py's default file format");
        }
    }

    /** The refusal of external storage, naming the first external file when its name can be read. */
    private static Hdf5Exception external(FileReader reader, String path, Block b) {
        String file = "another file";
        try {
            b.skip(4, "external files version");
            b.skip(4, "external files slots");
            long heap = b.address("external files heap");
            long nameOffset = b.length("external file name offset");
            file = reader.localHeap(path, heap).name(path, nameOffset);
        } catch (Hdf5Exception e) {
            // The file is refused either way; its name is only for the message.
        }
        return new Hdf5Exception(path, "keeps its values in another file (HDF5 external storage: " + file + "); a model"
                + " file may only hold its own data, so it is refused unread");
    }
}
