/**
 * Code shared by the Spark job and tools, with no Spark dependency: configuration records,
 * dataset readers, the model zoo, model I/O on Hadoop filesystems, metrics and provenance.
 */
package io.tributary.common;
