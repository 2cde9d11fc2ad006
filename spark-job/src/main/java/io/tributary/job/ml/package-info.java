/**
 * The Spark ML API: {@link io.tributary.job.ml.TributaryClassifier}, an Estimator whose {@code fit}
 * runs Tributary's training on a {@code Dataset<Row>}, and the
 * {@link io.tributary.job.ml.TributaryClassificationModel} it gives, a Transformer that scores as
 * {@code tributary predict} does. Both read their data through the training job's table source and
 * save and load their models through {@code ModelStore}; both persist with Spark ML's writers, so
 * they fit in Pipelines, CrossValidator and PipelineModel.save/load.
 */
package io.tributary.job.ml;
