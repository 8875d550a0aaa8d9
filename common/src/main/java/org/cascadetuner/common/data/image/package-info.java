/**
 * Images for the caches: header facts, decoding, Pillow-exact resizing and cropping, the EfficientNet input.
 *
 * <p>The manifest job probes each file ({@link org.cascadetuner.common.data.image.ImageProbe}: format, displayed
 * size, colour model, bit depth, frames, or a typed {@link org.cascadetuner.common.data.image.RejectReason}); the
 * latent job turns each kept file into encoder input ({@link org.cascadetuner.common.data.image.TrainingImageLoader}:
 * decode, resize and crop per the geometry, scale by {@code stable_cascade_effnet_scale}, normalise). Both work on
 * the file's bytes, read once ({@link org.cascadetuner.common.data.image.ImageFile}), and keep per-thread state: one
 * instance per Spark partition.
 *
 * <p>What is Pillow's and what is not, checked by the tests against references made with Pillow 9.4
 * (tools/make-image-fixtures.py):
 * <ul>
 *   <li>equal to the bit: JPEG (baseline, progressive, grey, CMYK, YCCK, with ICC), PNG (all colour types and bit
 *       depths, palette transparency, Adam7), lossless WebP, BMP, TIFF, GIF decoding; {@code Image.resize(size,
 *       Image.LANCZOS)} on 8-bit RGB; resize-then-crop; the scale by the effnet factor;
 *   <li>by decision: EXIF orientation applied (as {@code ImageOps.exif_transpose}); alpha composited over white
 *       (Pillow's {@code convert("RGB")} drops it); samples of other than 8 bits rounded (Pillow truncates);
 *       ICC profiles ignored (as Pillow); first frame of multi-frame files;
 *   <li>close, not equal: lossy WebP, decoded by TwelveMonkeys' own VP8 decoder (PSNR about 40 dB against libwebp
 *       on a photograph).
 * </ul>
 */
package org.cascadetuner.common.data.image;
