package org.cascadetuner.jobs.manifest;

import java.io.Serializable;

/**
 * One image found under a dataset root, with what the listing tells for free (no read of the content).
 *
 * @param id the path relative to the dataset root, '/'-separated: the image's identity in every cache
 * @param uri absolute location (file:, s3a:, hdfs:)
 * @param captionMtime modification time of the sibling caption file ({@code .txt}), or -1 if none; a changed caption
 *     file makes the image's manifest row stale even when the image is unchanged
 */
public record DiscoveredFile(String id, String uri, long size, long mtime, long captionMtime) implements Serializable {}
