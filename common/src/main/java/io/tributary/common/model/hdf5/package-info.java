/**
 * A bounded reader of HDF5 file structure in Java ({@link io.tributary.common.model.hdf5.Hdf5File}),
 * used to vet a Keras model file before the HDF5 native library sees it: every object reachable from
 * the root, every address and length checked against the file, and the features that would make the
 * library read outside the file, load code or allocate by a declared size refused.
 */
package io.tributary.common.model.hdf5;
