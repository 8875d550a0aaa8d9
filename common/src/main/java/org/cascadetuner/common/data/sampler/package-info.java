/**
 * Bucket-homogeneous batching (spec data-pipeline §7): passes over a dataset
 * ({@link org.cascadetuner.common.data.sampler.PassPlan}), epochs over several datasets with a resumable cursor
 * ({@link org.cascadetuner.common.data.sampler.BucketSampler}), the split of batches among parameter-averaging
 * workers ({@link org.cascadetuner.common.data.sampler.WorkerSplit}) and SimpleTuner's batch-count rules
 * ({@link org.cascadetuner.common.data.sampler.BatchRules}).
 */
package org.cascadetuner.common.data.sampler;
