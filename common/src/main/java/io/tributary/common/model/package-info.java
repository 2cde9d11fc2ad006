/** Network architectures by name, and saving and loading models on Hadoop filesystems. */
package io.tributary.common.model;
