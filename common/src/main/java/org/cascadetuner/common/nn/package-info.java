/**
 * The tensor engine: one model definition, several backends.
 *
 * <h2>The seam</h2>
 * Models and layers see {@link org.cascadetuner.common.nn.Tensor} (float32, NCHW, PyTorch weight layouts) and call
 * {@link org.cascadetuner.common.nn.Backend} operations on whole tensors. Backends live in their own packages
 * ({@code nn.nd4j}; a CUDA one later) and are found by name through {@link org.cascadetuner.common.nn.Backends}
 * ({@code Backends.get("cpu")}, or {@code Backends.defaultBackend()} honouring {@code -Dcascadetuner.backend} /
 * {@code CASCADE_TUNER_BACKEND}). No library type crosses the seam.
 *
 * <h2>Ownership</h2>
 * Every op returns a new handle that its caller closes; arguments are never closed. Views (reshape, permute, slice,
 * split) and {@code retain()} are further handles on the same storage, released when the last handle closes, in
 * any order. Use try-with-resources for intermediates; {@code Backend.liveTensors()} counts open storages (a test
 * can assert it returns to its value after a step), and {@code -Dcascadetuner.trackTensors=true} records where each
 * open one was allocated ({@code Nd4jBackend.openAllocations()}).
 *
 * <h2>Layers, tape, backward</h2>
 * A layer has {@code forward(x, tape)} and {@code backward(dy, tape)} side by side ({@link org.cascadetuner.common.nn.Layer}
 * for one input; multi-input layers such as {@code MultiHeadAttention} follow the same shape). Forward pushes a small
 * typed {@link org.cascadetuner.common.nn.Saved} record with what backward needs onto the
 * {@link org.cascadetuner.common.nn.Tape}; backward pops it (type-checked), adds parameter gradients into the
 * trainable {@link org.cascadetuner.common.nn.Parameter}s' buffers and returns dL/dx. A block's backward therefore
 * calls its layers in exactly the reverse order of its forward. {@code Tape.NONE} is inference: nothing is kept.
 * {@link org.cascadetuner.common.nn.Checkpoint} wraps a multi-input block so that it keeps only its inputs and
 * recomputes itself inside backward.
 *
 * <h2>Parameters</h2>
 * {@link org.cascadetuner.common.nn.ParameterStore} loads weights by their checkpoint names (diffusers / HF), checks
 * shapes against what the config implies, gives gradient buffers to trainable names only, and lists checkpoint
 * tensors no layer used. {@link org.cascadetuner.common.nn.MemoryPlan} prints parameters, gradients, optimizer state
 * and peak activations.
 */
package org.cascadetuner.common.nn;
