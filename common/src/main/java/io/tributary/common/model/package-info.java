/** Network architectures by name, and the layers they are built from. */
package io.tributary.common.model;
