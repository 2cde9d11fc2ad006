/** Classification metrics in the shape written to metrics.json and printed by {@code tributary evaluate}. */
package io.tributary.common.metrics;
