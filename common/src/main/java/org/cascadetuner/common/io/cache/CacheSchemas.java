package org.cascadetuner.common.io.cache;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The Parquet schemas of the three caches: the contract between the Spark jobs that write them and the trainer
 * that reads them. Tensors are stored as raw little-endian bytes of {@code dtype} with their shape in int columns
 * (3× faster to write than {@code list<float>}, spec/stack.md §4). Every row carries the fingerprint of what made
 * it, so a refresh recomputes exactly the stale rows.
 */
public final class CacheSchemas {
  private CacheSchemas() {}

  /** One row per discovered file (kept or rejected). Key: {@code id}, the dataset-relative path. */
  public static final MessageType MANIFEST = MessageTypeParser.parseMessageType("""
      message manifest {
        required binary id (STRING);
        required binary dataset (STRING);
        required binary uri (STRING);
        required int64 size;
        required int64 mtime;
        optional binary sha256 (STRING);
        optional binary format (STRING);
        optional int32 width;
        optional int32 height;
        optional group captions (LIST) { repeated group list { required binary element (STRING); } }
        required binary status (STRING);
        optional binary reject_reason (STRING);
        optional binary reject_detail (STRING);
        optional int32 target_w;
        optional int32 target_h;
        optional int32 resize_w;
        optional int32 resize_h;
        optional int32 crop_top;
        optional int32 crop_left;
        optional binary bucket (STRING);
        optional int32 latent_h;
        optional int32 latent_w;
        required binary fingerprint (STRING);
      }
      """);

  /** One row per distinct caption (and the empty caption). Key: {@code key} = md5 of the UTF-8 caption. */
  public static final MessageType TEXT_EMBEDS = MessageTypeParser.parseMessageType("""
      message text_embeds {
        required binary key (STRING);
        required binary caption (STRING);
        required binary dtype (STRING);
        required int32 seq_len;
        required int32 hidden;
        required binary clip_text;
        required int32 pooled_dim;
        required binary clip_text_pooled;
        required binary mask;
        required binary fingerprint (STRING);
      }
      """);

  /** One row per kept image. Key: {@code id}, the dataset-relative path. */
  public static final MessageType LATENTS = MessageTypeParser.parseMessageType("""
      message latents {
        required binary id (STRING);
        required binary sha256 (STRING);
        required binary bucket (STRING);
        required binary dtype (STRING);
        required int32 channels;
        required int32 height;
        required int32 width;
        required binary latent;
        required binary fingerprint (STRING);
      }
      """);

  /** The key column of a cache schema. */
  public static String keyColumn(MessageType schema) {
    return schema.getName().equals("text_embeds") ? "key" : "id";
  }
}
