package io.tributary.common.model;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.bytedeco.hdf5.global.hdf5.*;

/**
 * Hostile Keras HDF5 files for the attack tests, made at test time from the committed fixtures with
 * the HDF5 C library (bytedeco's binding, on the classpath through DL4J's model import). Each is the
 * seed model ({@code seed_cnn.h5}) with one object replaced; the replaced objects are in the last
 * layer, {@code dense_1} (kernel 128x10 floats: 5,120 bytes; bias 10 floats).
 */
public final class KerasAttackFiles {
    /** The last layer's kernel, as DL4J's import reads it. */
    public static final String KERNEL = "/model_weights/dense_1/dense_1/kernel:0";
    /** The last layer's bias. */
    public static final String BIAS = "/model_weights/dense_1/dense_1/bias:0";
    /** The kernel's bytes as float32: 128 x 10. */
    public static final int KERNEL_BYTES = 128 * 10 * Float.BYTES;

    private KerasAttackFiles() {
    }

    /** The committed fixtures, from either module's tests. */
    public static Path fixtures() {
        String root = System.getProperty("tributary.root");
        Path dir = root != null ? Path.of(root, "common", "src", "test", "resources", "keras")
                : Path.of("src", "test", "resources", "keras");
        return dir.toAbsolutePath().normalize();
    }

    /** A file of {@link #KERNEL_BYTES} bytes standing for a secret the driver can read: text that is easy to find. */
    public static Path canary(Path dir) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; s.length() < KERNEL_BYTES; i++) {
            s.append(String.format("CANARY-SECRET-%06d;", i));
        }
        return Files.writeString(dir.resolve("secret.txt"), s.substring(0, KERNEL_BYTES));
    }

    /** The seed model whose last kernel is HDF5 external storage: its bytes are those of {@code secret}. */
    public static Path externalStorage(Path dir, Path secret) throws IOException {
        return replace(dir, "external-storage.h5", KERNEL, file -> {
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            check(H5Pset_external(dcpl, secret.toAbsolutePath().toString(), 0, KERNEL_BYTES), "H5Pset_external");
            H5Dclose(createFloats(file, KERNEL, new long[] {128, 10}, dcpl));
            H5Pclose(dcpl);
        });
    }

    /** The seed model whose last kernel is an external link to {@code /secret} in another HDF5 file. */
    public static Path externalLink(Path dir, Path secret) throws IOException {
        Path other = secretHdf5(dir, secret);
        return replace(dir, "external-link.h5", KERNEL, file ->
                check(H5Lcreate_external(other.toString(), "/secret", file, KERNEL, H5P_DEFAULT, H5P_DEFAULT),
                        "H5Lcreate_external"));
    }

    /** The seed model whose last kernel is a soft link to a dataset elsewhere in the file. */
    public static Path softLink(Path dir) throws IOException {
        return replace(dir, "soft-link.h5", KERNEL, file -> {
            long dset = createFloats(file, "/stash", new long[] {128, 10}, H5P_DEFAULT);
            check(H5Dwrite(dset, H5T_IEEE_F32LE_g(), H5S_ALL, H5S_ALL, H5P_DEFAULT, new BytePointer(new byte[KERNEL_BYTES])),
                    "H5Dwrite");
            H5Dclose(dset);
            check(H5Lcreate_soft("/stash", file, KERNEL, H5P_DEFAULT, H5P_DEFAULT), "H5Lcreate_soft");
        });
    }

    /** The seed model whose last kernel is a virtual dataset mapping {@code /secret} of another HDF5 file. */
    public static Path virtualDataset(Path dir, Path secret) throws IOException {
        Path other = secretHdf5(dir, secret);
        return replace(dir, "virtual.h5", KERNEL, file -> {
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            long space = H5Screate_simple(2, new long[] {128, 10}, null);
            check(H5Pset_virtual(dcpl, space, other.toString(), "/secret", space), "H5Pset_virtual");
            long dset = H5Dcreate2(file, KERNEL, H5T_IEEE_F32LE_g(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
            check(dset, "H5Dcreate2");
            H5Dclose(dset);
            H5Sclose(space);
            H5Pclose(dcpl);
        });
    }

    /** The seed model whose last kernel is written through the Fletcher-32 checksum filter (neither deflate nor shuffle). */
    public static Path otherFilter(Path dir) throws IOException {
        return replace(dir, "fletcher32.h5", KERNEL, file -> {
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            check(H5Pset_chunk(dcpl, 2, new long[] {128, 10}), "H5Pset_chunk");
            check(H5Pset_fletcher32(dcpl), "H5Pset_fletcher32");
            long dset = createFloats(file, KERNEL, new long[] {128, 10}, dcpl);
            check(H5Dwrite(dset, H5T_IEEE_F32LE_g(), H5S_ALL, H5S_ALL, H5P_DEFAULT, new BytePointer(new byte[KERNEL_BYTES])),
                    "H5Dwrite");
            H5Dclose(dset);
            H5Pclose(dcpl);
        });
    }

    /**
     * The seed model whose last bias declares {@code elements} floats with no storage (reads give the
     * fill value), so the file stays small whatever it claims.
     */
    public static Path hugeBias(Path dir, long elements) throws IOException {
        return replace(dir, "bias-" + elements + ".h5", BIAS, file -> {
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_LATE), "H5Pset_alloc_time");
            H5Dclose(createFloats(file, BIAS, new long[] {elements}, dcpl));
            H5Pclose(dcpl);
        });
    }

    /**
     * A compiled Sequential model whose model_config describes Dense(40000) on 40,000 inputs (1.6e9
     * parameters), then Dense(10, softmax), with no weights stored: a small file declaring a network far
     * beyond max-parameters.
     */
    public static Path wideDense(Path dir) throws IOException {
        Path out = dir.resolve("wide-dense.h5");
        String config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 40000], \"dtype\": \"float32\","
                + " \"sparse\": false, \"ragged\": false, \"name\": \"input\"}},"
                + dense("dense", 40000, "relu", ", \"batch_input_shape\": [null, 40000]") + ","
                + dense("dense_1", 10, "softmax", "") + "]}}";
        String training = "{\"loss\": \"categorical_crossentropy\", \"metrics\": [\"accuracy\"], \"weighted_metrics\": null,"
                + " \"loss_weights\": null, \"optimizer_config\": {\"class_name\": \"Adam\", \"config\": {\"name\": \"Adam\","
                + " \"learning_rate\": 0.001, \"decay\": 0.0, \"beta_1\": 0.9, \"beta_2\": 0.999, \"epsilon\": 1e-07,"
                + " \"amsgrad\": false}}}";
        H5open();
        long file = H5Fcreate(out.toString(), H5F_ACC_TRUNC(), H5P_DEFAULT, H5P_DEFAULT);
        check(file, "H5Fcreate");
        strings(file, "keras_version", "2.10.0");
        strings(file, "backend", "tensorflow");
        strings(file, "model_config", config);
        strings(file, "training_config", training);
        long weights = H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        strings(weights, "layer_names", "dense", "dense_1");
        strings(weights, "backend", "tensorflow");
        strings(weights, "keras_version", "2.10.0");
        for (String layer : List.of("dense", "dense_1")) {
            long g = H5Gcreate2(weights, layer, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            strings(g, "weight_names", layer + "/kernel:0", layer + "/bias:0");
            H5Gclose(g);
        }
        H5Gclose(weights);
        H5Fclose(file);
        return out;
    }

    private static String dense(String name, int units, String activation, String extra) {
        return "{\"class_name\": \"Dense\", \"config\": {\"name\": \"" + name + "\", \"trainable\": true, \"dtype\": \"float32\""
                + extra + ", \"units\": " + units + ", \"activation\": \"" + activation + "\", \"use_bias\": true,"
                + " \"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}},"
                + " \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"kernel_regularizer\": null,"
                + " \"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null,"
                + " \"bias_constraint\": null}}";
    }

    @FunctionalInterface
    private interface Edit {
        void apply(long file);
    }

    /** A copy of seed_cnn.h5 named {@code name} whose object at {@code path} is removed and remade by {@code edit}. */
    private static Path replace(Path dir, String name, String path, Edit edit) throws IOException {
        Path out = dir.resolve(name);
        Files.copy(fixtures().resolve("seed_cnn.h5"), out, StandardCopyOption.REPLACE_EXISTING);
        H5open();
        long file = H5Fopen(out.toString(), H5F_ACC_RDWR(), H5P_DEFAULT);
        check(file, "H5Fopen");
        check(H5Ldelete(file, path, H5P_DEFAULT), "H5Ldelete");
        edit.apply(file);
        check(H5Fclose(file), "H5Fclose");
        return out;
    }

    /** An HDF5 file beside the attack holding {@code /secret}: the secret's bytes as 128 x 10 floats. */
    private static Path secretHdf5(Path dir, Path secret) throws IOException {
        Path out = dir.resolve("secret.h5");
        H5open();
        long file = H5Fcreate(out.toString(), H5F_ACC_TRUNC(), H5P_DEFAULT, H5P_DEFAULT);
        check(file, "H5Fcreate");
        long dset = createFloats(file, "/secret", new long[] {128, 10}, H5P_DEFAULT);
        check(H5Dwrite(dset, H5T_IEEE_F32LE_g(), H5S_ALL, H5S_ALL, H5P_DEFAULT, new BytePointer(Files.readAllBytes(secret))),
                "H5Dwrite");
        H5Dclose(dset);
        H5Fclose(file);
        return out;
    }

    private static long createFloats(long file, String path, long[] dims, long dcpl) {
        long space = H5Screate_simple(dims.length, dims, null);
        long dset = H5Dcreate2(file, path, H5T_IEEE_F32LE_g(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        check(dset, "H5Dcreate2 " + path);
        H5Sclose(space);
        return dset;
    }

    /** A variable-length UTF-8 string attribute (a scalar for one value, else a vector), as h5py writes Keras's. */
    private static void strings(long loc, String name, String... values) {
        long type = H5Tcopy(H5T_C_S1_g());
        H5Tset_size(type, H5T_VARIABLE);
        long space = values.length == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, new long[] {values.length}, null);
        long attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        check(attr, "H5Acreate2 " + name);
        PointerPointer<BytePointer> p = new PointerPointer<>(values.length);
        for (int i = 0; i < values.length; i++) {
            p.put(i, new BytePointer(values[i], StandardCharsets.UTF_8));
        }
        check(H5Awrite(attr, type, p), "H5Awrite " + name);
        H5Aclose(attr);
        H5Sclose(space);
        H5Tclose(type);
    }

    private static void check(long status, String what) {
        if (status < 0) {
            throw new IllegalStateException(what + " failed: " + status);
        }
    }
}
