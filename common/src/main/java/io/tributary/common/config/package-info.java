/** Configuration keys, the validated {@link io.tributary.common.config.TrainConfig} record and its YAML loader. */
package io.tributary.common.config;
