package io.tributary.common.store;

import io.tributary.common.config.InputShape;
import io.tributary.common.model.ModelZoo;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Model zips as an attacker would make them: a real model written by DL4J, then entries added,
 * replaced or duplicated. Built with DL4J and java.util.zip only, so the same files attack any loader.
 */
public final class ModelZipFixtures {
    /** The class name a planted object claims; no such class exists anywhere. */
    public static final String MISSING_CLASS = "io.tributary.common.store.MissingClass1";

    private ModelZipFixtures() {
    }

    /** The reference CNN for {@code side}x{@code side} images, initialised, untrained. */
    public static MultiLayerNetwork seedCnn(int side, int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(ModelZoo.build(ModelZoo.SEED_CNN,
                new InputShape(1, side, side), classes, 1e-3, 7));
        net.init();
        return net;
    }

    /** The bytes DL4J's ModelSerializer writes for {@code net}, with updater state. */
    public static byte[] saved(MultiLayerNetwork net) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, out, true);
        return out.toByteArray();
    }

    /** The entries of a zip, in order. */
    public static Map<String, byte[]> entries(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    /** A zip of these entries, in this order. */
    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** {@code zip} with one more entry at the end. */
    public static byte[] withEntry(byte[] zip, String name, byte[] content) throws IOException {
        Map<String, byte[]> entries = entries(zip);
        entries.put(name, content);
        return zip(entries);
    }

    /** {@code zip} with one entry's content changed. */
    public static byte[] editing(byte[] zip, String name, UnaryOperator<byte[]> edit) throws IOException {
        Map<String, byte[]> entries = entries(zip);
        entries.put(name, edit.apply(entries.get(name)));
        return zip(entries);
    }

    /**
     * {@code zip} with a second entry of the same name (java.util.zip refuses to write one, so the
     * copy is written under a name differing in its last character and renamed in the bytes).
     */
    public static byte[] withDuplicate(byte[] zip, String name) throws IOException {
        String decoy = name.substring(0, name.length() - 1) + (name.endsWith("~") ? "^" : "~");
        byte[] bytes = withEntry(zip, decoy, entries(zip).get(name));
        return replaceAll(bytes, decoy.getBytes(StandardCharsets.UTF_8), name.getBytes(StandardCharsets.UTF_8));
    }

    /** Java serialization of {@code value}: what DL4J's loader reads from {@code preprocessor.bin}. */
    public static byte[] serialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /** A serialized object of {@link #MISSING_CLASS}: a spy's stream with its class name swapped. */
    public static byte[] serializedMissingClass(Path marker) throws IOException {
        byte[] spy = serialized(new ReadObjectSpy(marker));
        return replaceAll(spy, ReadObjectSpy.class.getName().getBytes(StandardCharsets.UTF_8),
                MISSING_CLASS.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces every occurrence of {@code from} by {@code to} (same length). */
    public static byte[] replaceAll(byte[] bytes, byte[] from, byte[] to) {
        if (from.length != to.length) throw new IllegalArgumentException("lengths differ");
        byte[] out = bytes.clone();
        for (int i = 0; i + from.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, out, i, to.length);
            }
        }
        return out;
    }
}
