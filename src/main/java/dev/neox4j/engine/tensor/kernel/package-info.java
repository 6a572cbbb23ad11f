/**
 * Matmul and attention kernels: the scalar reference family ({@link dev.neox4j.engine.tensor.kernel.ScalarKernels},
 * {@link dev.neox4j.engine.tensor.kernel.ScalarAttentionDots}) and the Vector API family
 * ({@link dev.neox4j.engine.tensor.kernel.VectorKernels}, {@code VectorAttentionDots}), chosen once by
 * {@link dev.neox4j.engine.tensor.kernel.Kernels}. Which kernel serves which weight type is decided in one place,
 * {@code KernelTable} (as ggml's {@code type_traits_cpu}): the activation format, the scalar dot and the vector row
 * kernel of every type; the codecs have their own table in {@code TensorCodecs}.
 *
 * <h2>Why the vector kernels repeat per weight type</h2>
 * Each weight type has its own row kernel (and the multi-row ones their own method per type) although the loops
 * look alike. This is deliberate: C2 turns Vector API calls into SIMD instructions only when the whole kernel is
 * inlined into one compilation unit with the species and the per-type decode known as constants. A shared generic
 * kernel taking the decode step as a lambda or an interface call, or a kernel that grows past C2's inlining budget,
 * leaves vector values boxed: the kernel then allocates on every call and runs 5 to 50 times slower, with the same
 * results. So each type's kernel is one small method that uses JDK vector calls only (those are force-inlined),
 * and accumulators are stored through a constant receiver ({@code VectorShapes.NEG_ZERO.add(v)}) rather than a
 * helper method. The rule holds for small helpers too: a helper that C2 has already compiled on its own (because
 * several kernels call it) can be refused inlining at a later call site ("already compiled into a medium method"),
 * and then every vector it returns is boxed. So the f16-to-float conversion is written out at each of its seven load
 * sites (the F16 row kernel and its decode, the four attention loads, the Q4_0 pair scale products);
 * {@code VectorShapes.loadF16} is the reference copy, and {@code VectorShapesTest} checks it and the F16/BF16 kernels'
 * copies against the JDK for all 65,536 half values.
 *
 * <h2>What else keeps a kernel unboxed</h2>
 * Three more rules, each found when CI saw kernels boxed that this machine did not:
 * <ul>
 *   <li><b>Explicit species.</b> {@code v.convert(I2F, 0)} and {@code v.reinterpretAsInts()} derive the result's
 *       species from the receiver's at run time; when C2 could not fold that chain the conversion's intrinsic saw
 *       a non-constant species and fell back to Java code. The kernels write
 *       {@code v.convertShape(I2F, FS, 0)} and {@code v.reinterpretShape(IS, 0)} with the species constants of
 *       {@code VectorShapes} instead.</li>
 *   <li><b>A node budget.</b> C2 stops inlining ordinary calls once a compilation passes about 18,000 IR nodes and
 *       delays the rest; delayed Vector API calls may lose the exact receiver class they need. The multi-row and
 *       the Q5_K/Q6_K single-row kernels are past it (21,000-50,000 nodes); they stay unboxed only because of the
 *       next rule. Moving their scalar segment reads (600-900 nodes each) into a prologue pass brought them under
 *       it but cost 35-65 % of their speed (the prologue became the pass that waits for memory), so it was not
 *       kept; a kernel that grows should be split where its values can pass through arrays.</li>
 *   <li><b>Foreground compilation.</b> Compiled in the background, the outcome still depended on the machine's
 *       timing; {@code ForegroundCompilation} installs a compiler directive at start-up that compiles this
 *       package and the JDK's vector packages in the thread that made them hot. With it every kernel stayed
 *       unboxed in every run of its own JVM, also with the compiler slowed down.</li>
 * </ul>
 *
 * <h2>Layouts repacked at load</h2>
 * A kernel family may ask for a weight in another byte layout
 * ({@link dev.neox4j.engine.tensor.kernel.MatmulKernels#prepare}, called once per matrix by the forward pass): the
 * vector family can repack Q4_0 into
 * {@link dev.neox4j.engine.tensor.WeightLayout#Q4_0_PAIRS} where it has 16 float lanes ({@code VectorQ4Pairs}: two
 * blocks per 512-bit load, block scales as a vector, two FMA chains per row), the same bytes per row, the file's
 * pages released; only with {@code -Dneox4j.kernels.q4-pairs=true} (the copy in fresh anonymous memory decoded slower
 * than the file's layout on the development VM), and the tests check its kernels through
 * {@code VectorKernels.pairs} whatever the setting. Every path of a layout (single row, 3-4 rows, decoded tile) accumulates the same way
 * ({@code DecodedDots.NO_MIN_PAIRED} for the pair layout), so results stay batch and thread-count invariant; the
 * scalar twin reads every layout and gives the same bits from each.
 *
 * <h2>Eight lanes (AVX2)</h2>
 * The same kernels run with 8 float lanes, 16 registers and no 16-bit cross-lane permutation. Where a vector
 * operation would compile to a long shuffle sequence there, the kernels take another instruction path to the same
 * lane values, chosen by the constant {@code VectorShapes.F} (C2 drops the other branch): halves are folded with a
 * 32-bit lane permutation ({@code VectorShapes.SWAP}, one {@code vpermd}), Q4_0, Q4_K and Q5_K widen 16 quant
 * bytes at once, Q6_K and Q3_K add a sub-block's halves before widening (Q4_K and Q5_K compute their min term
 * without a call at both widths), 3-4 generated rows of Q4_0, Q8_0, Q4_K, Q5_K and Q6_K use multi-row kernels in the single-row
 * kernels' 16-bit form ({@code NarrowRowDots} for the K-quants), and the prompt tiles are 2 x 4 over a
 * column block of the panels copied side by side (docs/quantization.md, "How the vector kernels compute the
 * integer part").
 *
 * <h2>The softmax exponential</h2>
 * {@code SoftmaxExp} is a fixed sequence of float operations (range reduction, polynomial, exponent bits) that
 * {@code VectorAttentionDots} runs in lanes and {@code ScalarAttentionDots} one value at a time, with identical
 * bits, instead of {@code Math.exp} per score.
 *
 * <h2>How to check it</h2>
 * <ul>
 *   <li>{@code VectorKernelAllocationTest} runs every row kernel of {@link dev.neox4j.engine.tensor.kernel.KernelTable}
 *       on each of its paths (one row, 3-4 rows, prompt tiles, every repacked layout) and fails when one keeps
 *       allocating once compiled. It runs each weight-type mix of a model file (Q4_K_M: Q4_K and Q6_K) in a JVM of
 *       its own, as a server runs one model: the JDK's vector methods keep one profile per JVM, and with the kernels
 *       of all fourteen types warmed in one JVM the 3-4-row Q4_K and Q6_K kernels came out boxed in 5 of 105 runs
 *       (C2 left the species checks of some late-inlined calls unfolded), none in 60 runs per mix. An application
 *       that loads models of many weight types into one JVM carries that residual risk;</li>
 *   <li>{@code NeoxForwardAllocationTest} runs decode steps of the vector family on two worker threads and fails
 *       when they keep allocating (a boxed kernel allocates on every call);</li>
 *   <li>{@code KernelThroughput} (bench) prints each kernel's GB/s and bytes allocated per call, which must be 0;</li>
 *   <li>{@code -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining} shows a kernel that was not inlined
 *       ("callee is too large", "already compiled into a big method").</li>
 * </ul>
 * Every vector kernel has a scalar twin the tests compare it with (bit for bit for the attention products, within
 * the kernel tests' tolerances for the matmuls); results never depend on the thread count or on the other rows of
 * a batch.
 */
package dev.neox4j.engine.tensor.kernel;
