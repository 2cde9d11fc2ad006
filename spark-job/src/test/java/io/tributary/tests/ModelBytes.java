package io.tributary.tests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** A model's parameters as bytes: the SHA-256 of the {@code coefficients.bin} entry of its {@code model.zip}. */
final class ModelBytes {
    private ModelBytes() {
    }

    static String coefficients(Path modelZip) throws IOException {
        try (InputStream in = Files.newInputStream(modelZip)) {
            return coefficients(in, modelZip.toString());
        }
    }

    /** The same for a model.zip read from {@code in} (HDFS, say); {@code name} names it in errors. */
    static String coefficients(InputStream in, String name) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("coefficients.bin")) {
                    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip.readAllBytes()));
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError(name + " has no coefficients.bin");
    }
}
