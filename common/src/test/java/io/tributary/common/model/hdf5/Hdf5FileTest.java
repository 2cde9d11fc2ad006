package io.tributary.common.model.hdf5;

import io.tributary.common.model.KerasAttackFiles;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

import static org.bytedeco.hdf5.global.hdf5.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Hdf5File} on the fixtures and on files the HDF5 library writes at test time: the formats h5py
 * writes (old-style groups and version 1 headers; with libver="latest", a version 3 superblock,
 * version 2 headers with checksums and link messages; a user block; contiguous, compact and chunked
 * storage with shuffle and deflate) are read, and structures outside the accepted set are refused
 * naming the object: a hard link cycle, a second hard link to a dataset, dense link and attribute
 * storage, a committed datatype, a compound datatype, a resizable dataset.
 */
class Hdf5FileTest {
    @TempDir
    Path tmp;

    @Test
    void theSeedModelsStructureIsRead() {
        Hdf5File h5 = Hdf5File.read(KerasAttackFiles.fixtures().resolve("seed_cnn.h5"));
        assertEquals(List.of("/model_weights/conv2d/conv2d/bias:0", "/model_weights/conv2d/conv2d/kernel:0",
                "/model_weights/dense/dense/bias:0", "/model_weights/dense/dense/kernel:0",
                "/model_weights/dense_1/dense_1/bias:0", "/model_weights/dense_1/dense_1/kernel:0"),
                h5.datasets().stream().map(Hdf5File.Dataset::path).toList());
        Hdf5File.Dataset kernel = h5.dataset("/model_weights/dense/dense/kernel:0").orElseThrow();
        assertEquals("5408x128", kernel.shape());
        assertEquals(5408L * 128, kernel.elements());
        assertTrue(kernel.type().isFloat());
        assertEquals(List.of(new Filter(Filter.DEFLATE)), kernel.filters());
        assertEquals(List.of("conv2d", "max_pooling2d", "flatten", "dense", "dense_1"),
                h5.strings("/model_weights", "layer_names").orElseThrow());
        assertEquals(List.of("2.10.0"), h5.strings("/", "keras_version").orElseThrow());
        assertTrue(h5.strings("/", "model_config").orElseThrow().get(0).startsWith("{\"class_name\": \"Sequential\""));
        assertTrue(h5.strings("/", "no_such_attribute").isEmpty());
        h5.datasets().forEach(h5::checkValues);
    }

    /** A file written by the HDF5 library with {@code fcpl}/{@code fapl} set up by the caller, holding a few objects. */
    private Path write(String name, boolean latest, long userBlock, LongConsumer extra) {
        Path out = tmp.resolve(name);
        H5open();
        long fcpl = H5Pcreate(H5P_CLS_FILE_CREATE_ID_g());
        if (userBlock > 0) {
            H5Pset_userblock(fcpl, userBlock);
        }
        long fapl = H5Pcreate(H5P_CLS_FILE_ACCESS_ID_g());
        if (latest) {
            H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
        }
        long file = H5Fcreate(out.toString(), H5F_ACC_TRUNC(), fcpl, fapl);
        assertTrue(file >= 0, "H5Fcreate");
        long g = H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        floats(g, "contiguous", new long[] {3, 4}, H5P_DEFAULT);
        long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
        H5Pset_chunk(dcpl, 2, new long[] {2, 4});
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 6);
        floats(g, "chunked", new long[] {3, 4}, dcpl);
        H5Pclose(dcpl);
        long compact = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
        H5Pset_layout(compact, H5D_COMPACT);
        floats(g, "compact", new long[] {2}, compact);
        H5Pclose(compact);
        extra.accept(file);
        H5Gclose(g);
        H5Fclose(file);
        H5Pclose(fcpl);
        H5Pclose(fapl);
        return out;
    }

    private static void floats(long loc, String name, long[] dims, long dcpl) {
        long space = H5Screate_simple(dims.length, dims, null);
        long dset = H5Dcreate2(loc, name, H5T_IEEE_F32LE_g(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        assertTrue(dset >= 0, "H5Dcreate2 " + name);
        long n = 1;
        for (long d : dims) n *= d;
        byte[] values = new byte[(int) n * 4];
        for (int i = 0; i < values.length; i++) values[i] = (byte) i;
        H5Dwrite(dset, H5T_IEEE_F32LE_g(), H5S_ALL, H5S_ALL, H5P_DEFAULT, new BytePointer(values));
        H5Dclose(dset);
        H5Sclose(space);
    }

    private static void readsTheThreeDatasets(Path file) {
        Hdf5File h5 = Hdf5File.read(file);
        assertEquals("3x4", h5.dataset("/model_weights/contiguous").orElseThrow().shape());
        Hdf5File.Dataset chunked = h5.dataset("/model_weights/chunked").orElseThrow();
        assertEquals(List.of(new Filter(Filter.SHUFFLE), new Filter(Filter.DEFLATE)), chunked.filters());
        assertEquals(2, chunked.chunks().size());
        assertEquals(2, h5.dataset("/model_weights/compact").orElseThrow().elements());
        h5.datasets().forEach(h5::checkValues);
    }

    @Test
    void h5pysDefaultFormatALatestFormatAndAUserBlockAreRead() throws Exception {
        Path earliest = write("earliest.h5", false, 0, f -> { });
        assertEquals(0, Files.readAllBytes(earliest)[8], "superblock version 0");
        readsTheThreeDatasets(earliest);
        Path latest = write("latest.h5", true, 0, f -> { });
        assertEquals(3, Files.readAllBytes(latest)[8], "superblock version 3");
        readsTheThreeDatasets(latest);
        readsTheThreeDatasets(write("user-block.h5", false, 1024, f -> { }));
        readsTheThreeDatasets(write("user-block-latest.h5", true, 512, f -> { }));
    }

    private String refused(Path file, String object) {
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.read(file));
        assertEquals(object, e.object(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aHardLinkCycleAndASecondHardLinkAreRefused() {
        Path cycle = write("cycle.h5", false, 0, f -> H5Lcreate_hard(f, "/", f, "/model_weights/loop", H5P_DEFAULT,
                H5P_DEFAULT));
        assertTrue(refused(cycle, "/model_weights/loop").contains("a second time"));
        Path twice = write("twice.h5", true, 0, f -> H5Lcreate_hard(f, "/model_weights/chunked", f, "/again",
                H5P_DEFAULT, H5P_DEFAULT));
        assertTrue(refused(twice, "/again").contains("a second time"));
    }

    @Test
    void denseLinkAndAttributeStorageAreRefused() {
        Path links = write("dense-links.h5", true, 0, f -> {
            long g = H5Gcreate2(f, "many", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            for (int i = 0; i < 20; i++) {
                H5Gclose(H5Gcreate2(g, "g" + i, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
            }
            H5Gclose(g);
        });
        assertTrue(refused(links, "/many").contains("dense storage"));
        Path attributes = write("dense-attributes.h5", true, 0, f -> {
            long space = H5Screate_simple(1, new long[] {20_000}, null);
            H5Aclose(H5Acreate2(f, "big", H5T_IEEE_F64LE_g(), space, H5P_DEFAULT, H5P_DEFAULT));
            H5Sclose(space);
        });
        assertTrue(refused(attributes, "/").contains("dense storage"));
    }

    @Test
    void aCommittedDatatypeACompoundDatasetAndAResizableDatasetAreRefused() {
        Path committed = write("committed.h5", false, 0, f -> {
            long t = H5Tcopy(H5T_IEEE_F32LE_g());
            H5Tcommit2(f, "a_type", t, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Tclose(t);
        });
        assertTrue(refused(committed, "/a_type").contains("neither a group nor a dataset"));
        Path compound = write("compound.h5", false, 0, f -> {
            long t = H5Tcreate(H5T_COMPOUND, 8);
            H5Tinsert(t, "a", 0, H5T_STD_I32LE_g());
            H5Tinsert(t, "b", 4, H5T_STD_I32LE_g());
            long space = H5Screate_simple(1, new long[] {2}, null);
            H5Dclose(H5Dcreate2(f, "pairs", t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
            H5Sclose(space);
            H5Tclose(t);
        });
        assertTrue(refused(compound, "/pairs").contains("compound"));
        Path resizable = write("resizable.h5", false, 0, f -> {
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            H5Pset_chunk(dcpl, 1, new long[] {4});
            long space = H5Screate_simple(1, new long[] {4}, new long[] {H5S_UNLIMITED});
            H5Dclose(H5Dcreate2(f, "grows", H5T_IEEE_F32LE_g(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
            H5Sclose(space);
            H5Pclose(dcpl);
        });
        assertTrue(refused(resizable, "/grows").contains("resizable"));
    }
}
