/** Readers for MNIST-format IDX data on any Hadoop filesystem, with strict validation of every file. */
package io.tributary.common.data;
