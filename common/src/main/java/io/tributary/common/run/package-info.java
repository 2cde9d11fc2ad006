/**
 * The JSON files a training run writes next to its model, one record per file with a schema
 * version: {@link io.tributary.common.run.RunMetrics} ({@code metrics.json}) and
 * {@link io.tributary.common.run.RunMetadata} ({@code metadata.json}). Each record writes its file and
 * reads it back, older files (without the schema version) included.
 */
package io.tributary.common.run;
