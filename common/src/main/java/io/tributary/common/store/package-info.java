/**
 * The one reader and writer of model files ({@code model.zip}, checkpoints): DL4J's ModelSerializer
 * layout, read without Java serialization and refusing every entry Tributary does not write.
 */
package io.tributary.common.store;
