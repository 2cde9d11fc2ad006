package io.tributary.common.model.hdf5;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A group's members, from either kind of group: an old-style group's symbol table (a version 1
 * B-tree of symbol table nodes, names in a local heap) or a new-style group's link messages. Only hard
 * links are accepted: a soft link, an external link (another file's object) or a user-defined link is
 * refused, and so is dense link storage (a fractal heap, which h5py writes only with libver="latest"
 * for groups of many members).
 */
final class Links {
    /** The most levels a group's B-tree may have; a B-tree of 2^20 nodes is 5 levels deep with K=16. */
    private static final int MAX_LEVEL = 32;

    private Links() {
    }

    /** Adds the members of the old-style group {@code path} to {@code members} (name to object header address). */
    static void symbolTable(FileReader reader, String path, Block message, Hdf5File.Ks ks, Map<String, Long> members) {
        long btree = message.address("symbol table B-tree address");
        LocalHeap heap = reader.localHeap(path, message.address("symbol table local heap address"));
        node(reader, path, btree, -1, ks, heap, members);
    }

    private static void node(FileReader reader, String path, long address, int expectedLevel, Hdf5File.Ks ks,
                             LocalHeap heap, Map<String, Long> members) {
        Hdf5File.Sizes sizes = reader.sizes();
        reader.visit(path, address, "a group B-tree node");
        long nodeSize = 8 + 2L * sizes.offsets() + 2L * ks.groupInternal() * sizes.offsets()
                + (2L * ks.groupInternal() + 1) * sizes.lengths();
        Block b = reader.read(path, address, nodeSize, "a group B-tree node");
        b.signature("TREE", "group B-tree node");
        if (b.u8("B-tree node type") != 0) {
            throw b.malformed("a group's B-tree node is not of type 0 (group nodes)");
        }
        int level = b.u8("B-tree node level");
        int entries = b.u16("B-tree entries");
        if ((expectedLevel >= 0 && level != expectedLevel) || level > MAX_LEVEL || entries > 2 * ks.groupInternal()) {
            throw b.malformed("group B-tree node of level " + level + " with " + entries + " entries");
        }
        b.address("B-tree left sibling");
        b.address("B-tree right sibling");
        for (int i = 0; i < entries; i++) {
            b.length("B-tree key");
            long child = b.address("B-tree child address");
            if (level == 0) {
                symbolNode(reader, path, child, ks, heap, members);
            } else {
                node(reader, path, child, level - 1, ks, heap, members);
            }
        }
    }

    private static void symbolNode(FileReader reader, String path, long address, Hdf5File.Ks ks, LocalHeap heap,
                                   Map<String, Long> members) {
        Hdf5File.Sizes sizes = reader.sizes();
        reader.visit(path, address, "a symbol table node");
        int entrySize = 2 * sizes.offsets() + 24;
        Block b = reader.read(path, address, 8 + 2L * ks.groupLeaf() * entrySize, "a symbol table node");
        b.signature("SNOD", "symbol table node");
        if (b.u8("symbol table node version") != 1) {
            throw b.malformed("symbol table node version is not 1");
        }
        b.skip(1, "symbol table node reserved byte");
        int count = b.u16("symbol count");
        if (count > 2 * ks.groupLeaf()) {
            throw b.malformed("symbol table node of " + count + " symbols");
        }
        for (int i = 0; i < count; i++) {
            String name = heap.name(path, b.address("link name offset"));
            long header = b.address("object header address");
            long cacheType = b.u32("symbol cache type");
            b.skip(4, "symbol reserved bytes");
            Block scratch = b.sub(16, "symbol scratch pad");
            String member = Hdf5File.child(path, name);
            if (cacheType == 2) {
                String target = heap.name(member, scratch.u32("soft link value offset"));
                throw new Hdf5Exception(member, "is a soft link (to " + target + "); files written by h5py for Keras"
                        + " hold hard links only");
            }
            if (cacheType > 1 || header == Hdf5File.UNDEFINED) {
                throw b.malformed("symbol \"" + name + "\" of cache type " + cacheType);
            }
            add(b, members, name, header);
        }
    }

    /** Adds the member a link message names; refuses any link but a hard one. */
    static void linkMessage(String path, Block b, Map<String, Long> members) {
        if (b.u8("link message version") != 1) {
            throw b.malformed("link message version is not 1");
        }
        int flags = b.u8("link flags");
        if ((flags & ~0x1f) != 0) {
            throw b.malformed("link message sets unknown flags");
        }
        int type = (flags & 0x08) != 0 ? b.u8("link type") : 0;
        if ((flags & 0x04) != 0) {
            b.skip(8, "link creation order");
        }
        if ((flags & 0x10) != 0 && b.u8("link name character set") > 1) {
            throw b.malformed("link name character set is neither ASCII nor UTF-8");
        }
        long nameLength = b.uint(1 << (flags & 0x03), "link name length");
        if (nameLength < 1 || nameLength > LocalHeap.MAX_NAME) {
            throw b.malformed("link name of " + nameLength + " bytes");
        }
        String name = new String(b.bytes(nameLength, "link name"), StandardCharsets.UTF_8);
        String member = Hdf5File.child(path, name);
        switch (type) {
            case 0 -> add(b, members, name, b.address("hard link address"));
            case 1 -> {
                int length = b.u16("soft link length");
                String target = new String(b.bytes(length, "soft link value"), StandardCharsets.UTF_8);
                throw new Hdf5Exception(member, "is a soft link (to " + target + "); files written by h5py for Keras"
                        + " hold hard links only");
            }
            case 64 -> {
                int length = b.u16("external link length");
                Block value = b.sub(length, "external link value");
                value.u8("external link flags");
                String file = value.cString(length, "external link file name");
                String object = value.cString(length, "external link object");
                throw new Hdf5Exception(member, "is an external link (to " + object + " in " + file + "); a model file"
                        + " may only hold its own data, so it is refused unread");
            }
            default -> throw new Hdf5Exception(member, "is a user-defined link (type " + type + "); files written by h5py"
                    + " for Keras hold hard links only");
        }
    }

    /** Refuses dense link storage, which a link info message points to. */
    static void linkInfo(Block b) {
        if (b.u8("link info version") != 0) {
            throw b.malformed("link info version is not 0");
        }
        int flags = b.u8("link info flags");
        if ((flags & 0x01) != 0) {
            b.skip(8, "maximum creation index");
        }
        long heap = b.address("fractal heap address");
        if (heap != Hdf5File.UNDEFINED) {
            throw b.refuse("keeps its links in dense storage (a fractal heap), which h5py writes only for large groups"
                    + " in files made with libver=\"latest\"; save the model with h5py's default file format");
        }
    }

    private static void add(Block b, Map<String, Long> members, String name, long address) {
        if (name.isEmpty() || name.contains("/") || name.equals(".")) {
            throw b.malformed("a link named \"" + name + "\", which HDF5 does not allow");
        }
        if (address == Hdf5File.UNDEFINED) {
            throw b.malformed("link \"" + name + "\" points nowhere");
        }
        if (members.put(name, address) != null) {
            throw b.malformed("two links named \"" + name + "\" in one group");
        }
    }
}
