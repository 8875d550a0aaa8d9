package org.cascadetuner.common.data.image;

/** What {@link ImageProbe} says about a file: its {@link ImageInfo}, or why it is unusable. */
public sealed interface ProbeResult permits ImageInfo, Rejection {}
