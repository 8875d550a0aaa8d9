package org.cascadetuner.common.data.image;

/** What {@link ImageDecoder} makes of a file: its pixels as {@link RgbImage}, or why it is unusable. */
public sealed interface DecodeResult permits RgbImage, Rejection {}
