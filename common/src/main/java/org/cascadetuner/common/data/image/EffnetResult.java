package org.cascadetuner.common.data.image;

/** A file turned into encoder input ({@link EffnetInput}), or why it could not be ({@link Rejection}). */
public sealed interface EffnetResult permits EffnetInput, Rejection {}
