/** Hadoop filesystem access: location resolution, bounded failures, atomic writes of run outputs. */
package io.tributary.common.io;
