/**
 * Captions (spec data-pipeline §4): the strategies, the one place captions are stripped
 * ({@link org.cascadetuner.common.data.caption.Captions}), {@code caption_filter_list}, {@code caption_shuffle},
 * and the seeded per-sample choice with caption dropout.
 */
package org.cascadetuner.common.data.caption;
