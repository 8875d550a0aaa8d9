/**
 * The data pipeline's arithmetic, shared by the Spark jobs and the trainer: SimpleTuner's per-image geometry
 * ({@link org.cascadetuner.common.data.ImageGeometry} — filter, bucket, resize, crop, Stage C latent shape) on
 * Python's number semantics ({@link org.cascadetuner.common.data.PyMath},
 * {@link org.cascadetuner.common.data.PyRandom}), bucket keys, and the seeded draws that make every random choice
 * a function of (seed, purpose, item) ({@link org.cascadetuner.common.data.SeededDraws}). Captions live in
 * {@code caption}, batching in {@code sampler}. Nothing here touches pixels.
 */
package org.cascadetuner.common.data;
