/**
 * The CUDA backend: JCuda driver API only, kernels compiled ahead of time into one fatbin (kernels/).
 *
 * <p><b>Pieces.</b> {@link dev.aqlm.runtime.cuda.CudaDriver} loads the binding and initialises the driver;
 * {@link dev.aqlm.runtime.cuda.CudaAvailability} says whether the backend can run and why not;
 * {@link dev.aqlm.runtime.cuda.CudaDevice} numbers devices in PCI bus order; {@link dev.aqlm.runtime.cuda.CudaContext}
 * owns one context, one stream and the loaded kernels; {@link dev.aqlm.runtime.cuda.DeviceBuffer},
 * {@link dev.aqlm.runtime.cuda.DeviceMemoryPool}, {@link dev.aqlm.runtime.cuda.PinnedHostBuffer},
 * {@link dev.aqlm.runtime.cuda.CudaEvent} and {@link dev.aqlm.runtime.cuda.CudaGraph} are the owned resources;
 * {@link dev.aqlm.runtime.cuda.CudaException#isContextPoisoned()} marks sticky errors. Only the types other packages
 * use are public; the rest is package-private.
 *
 * <p><b>Launches.</b> Every kernel is launched through one typed method of {@link dev.aqlm.runtime.cuda.Kernels}
 * ({@code rmsNorm}, {@code linear}, {@code decodeAttention}, {@code sampleTokens} ...), the only class that builds
 * kernel arguments, so each kernel's argument order is written once; {@code KernelLaunchSignatureTest} checks that file
 * against the extern "C" signatures. Pointer arguments are {@link dev.aqlm.runtime.cuda.DeviceAddress}es taken from
 * the {@link dev.aqlm.runtime.cuda.DeviceBuffer} that owns the memory (the forward pass's buffers are the
 * {@link dev.aqlm.runtime.cuda.Workspace}); {@link dev.aqlm.runtime.cuda.DeviceForward} says what the forward pass
 * launches, in order.
 *
 * <p><b>Resident model.</b> {@link dev.aqlm.runtime.cuda.DeviceModel} uploads a checkpoint once. Linears are fused
 * along their outputs ({@link dev.aqlm.runtime.cuda.FusedRows}): q/k/v as one (q and k rows pair-interleaved so RoPE
 * happens in the linear's epilogue, which also writes keys and values into the cache), gate/up as one (rows
 * alternating, SwiGLU in the epilogue); o_proj and down_proj add into the fp32 residual stream in their epilogues.
 * AQLM layers stay as packed code words ({@link dev.aqlm.runtime.cuda.CodeWordFormat}) with one codebook set per
 * fused layer. A decode layer is 8 launches: norm, q/k/v, attention (2), o, norm, gate/up, down.
 *
 * <p><b>One linear kernel</b> (linear.cu) serves every format and batch: tensor cores (mma.sync m16n8k16, fp32
 * accumulation) on weight tiles that are copied (dense) or decoded from codes into shared memory (AQLM; codebooks
 * staged in shared memory with per-thread replicas when they fit, gathered from L2 otherwise). Every row of a tile
 * shares the decoded weights. There is no split-K, so a row's result does not depend on the batch: graphs and eager
 * execution, and any batch composition, give the same tokens. {@link dev.aqlm.runtime.cuda.LinearPlan} picks the tile
 * shape and the shared-memory layout on the host with the kernel's own formula.
 *
 * <p><b>Decode and verification steps</b> ({@link dev.aqlm.runtime.cuda.CudaBackend}): inputs for the step are
 * written to one pinned buffer and copied once; the whole step (embedding, layers, final norm, lm_head, sampling) is a
 * CUDA graph captured per {@link dev.aqlm.runtime.cuda.GraphStep.Shape}: a batch bucket
 * ({@link dev.aqlm.runtime.cuda.GraphBuckets}) times the longest chunk, so speculative verification chunks (a token
 * sampled at each of K+1 positions) and plain decodes share one graph; the sampled tokens come back in one copy.
 * Padding rows decode in a scratch KV slot. Prompt chunks, logits and scoring run eagerly in passes
 * ({@link dev.aqlm.runtime.cuda.ForwardPlan}): a pass is its input rows plus one output record per row whose logits
 * are needed (a sample, a scored target or a full logits row), which the backend runs and
 * {@link dev.aqlm.runtime.cuda.ChunkResults} files under their chunks, each in one loop over the outputs.
 *
 * <p><b>Numerics.</b> Activations, KV cache, dense weights and codebooks in the checkpoint's fp16/bf16 (fp32
 * checkpoints run as fp16, see {@link dev.aqlm.runtime.cuda.ActivationType}); residual stream, norms, softmax,
 * logits, router and sampling in fp32 (sampling weights in fp64, as TokenSampler computes them).
 */
package dev.aqlm.runtime.cuda;
