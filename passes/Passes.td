//===- Passes.td - Kiln's passes -------------------------------------------===//
//
// Grouped by what they work on, alphabetical within a group. Each pass lives in the .cpp file
// named after it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Lowering support
//===----------------------------------------------------------------------===//

def ExpandF8 : Pass<"kiln-expand-f8"> {
  let summary = "Expand f8E4M3FN extf/truncf/constants into integer arithmetic";
  let description = [{
    MLIR 22 lowers no f8 `arith.extf`/`arith.truncf` to LLVM (LLVM IR has no f8 type; f8 memrefs
    become i8), and sm_80 has no f8 conversion instruction. This pass rewrites them, scalar or
    vector, into bitcasts and integer operations:

    - `arith.extf` from f8E4M3FN: exact. Normal codes rebias the exponent, subnormals are
      `m * 2^-9`, the two NaN codes give a quiet NaN with the sign. Results wider or narrower
      than f32 (f16, bf16, f64) go through f32, which is exact for every e4m3 value, except
      bf16 from a 1-D vector of 4k codes (what sm_80's FP8 GEMM widens): each code's bits are
      placed in a bf16 lane, four codes per 32-bit word with word-wide integer operations, and
      one bf16 multiply by 2^120 fixes the exponent bias, exactly (subnormal codes included).
    - `arith.truncf` to f8E4M3FN from f32 (f16 and bf16 are widened to f32 first, exactly):
      round to nearest, ties to even, saturating like PTX's `cvt.rn.satfinite`: every finite
      value or infinity beyond 448 becomes ±448, NaN stays NaN.
    - `arith.constant` of f8E4M3FN: the same bits as an i8 constant.

    Before:
    ```mlir
    %f = arith.extf %x : f8E4M3FN to f32
    ```
    After (abridged):
    ```mlir
    %b = arith.bitcast %x : f8E4M3FN to i8
    %u = arith.extui %b : i8 to i32
    ...
    %f = arith.bitcast %bits : i32 to f32
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::vector::VectorDialect"];
}


//===----------------------------------------------------------------------===//
// Graph to kernels and plans
//===----------------------------------------------------------------------===//

def LowerToKernels : Pass<"kiln-lower-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Lower the graph entry functions to kernel functions and kiln_plan entries";
  let description = [{
    Each graph op of `@prefill` and `@decode` becomes one or more launches of kernel functions
    (`kiln_plan.kernel`: memref arguments, then the token count, workgroup id and workgroup count),
    deduplicated by signature so every layer of one shape shares its kernels. Activations are
    f32. `kiln.mla.attention` becomes its projections, `mla_cache_write` (normalised latent and
    rotated shared key into the paged cache) and the absorbed attention over the cache; FP8
    linears follow `fp8-gemm` (`act-quant`: an `act_quant` launch then an e4m3 x e4m3 GEMM with
    per-block promotion; `dequant`: per-block dequantised weights). Every intermediate gets a
    buffer; a static memory plan (greedy by size, verified) packs them into one arena per entry.
    The graph functions are replaced by `kiln_plan.entry` ops of the same names, with a
    `kiln_plan.kv_cache` layout and a `kiln_plan.rope_table` per distinct RoPE configuration.

    ```mlir
    kiln_plan.entry @decode max_tokens 8 arena 81920 peak 77824
        logits #kiln_plan.ref<arena, "", 0, 0, 16384> rank 0 {
      kiln_plan.launch @embed_512x128xbf16_t256 grid 8 [...]
      ...
    }
    ```
  }];
  let options = [
    Option<"maxSeqLen", "max-seq-len", "int64_t", "4096", "Longest sequence (KV cache, RoPE table)">,
    Option<"maxBatch", "max-batch", "int64_t", "8", "Most sequences one decode call carries">,
    Option<"prefillChunk", "prefill-chunk", "int64_t", "256", "Most tokens one prefill call carries">,
    Option<"fp8Gemm", "fp8-gemm", "std::string", "\"act-quant\"", "FP8 GEMM semantics: act-quant or dequant">,
    Option<"kvBlock", "kv-block", "int64_t", "64", "Tokens per KV-cache block">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect", "::kiln::plan::KilnPlanDialect"];
}


//===----------------------------------------------------------------------===//
// Graph fusion
//===----------------------------------------------------------------------===//

def FuseRouting : Pass<"kiln-fuse-routing"> {
  let summary = "Fuse the routing primitives into one kiln.moe.router";
  let description = [{
    The frontend emits routing as primitives: `kiln.route.score` → (`route.bias_add`, selection
    only) → (`route.group_score` → `route.group_mask` with -inf) → `route.topk` →
    (`route.normalize`) → (`route.scale`). This pass replaces each such chain, when its
    intermediates have no other users, with one `kiln.moe.router`, which lowers to one kernel.
    A chain with an intermediate used elsewhere is left alone.

    Before:
    ```mlir
    %s = kiln.route.score %logits {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
    %b = kiln.route.bias_add %s, @bias : tensor<?x16xf32>
    %g = kiln.route.group_score %b {groups = 4 : i64, reduce = #kiln.group_reduce<top2_sum>}
        : tensor<?x16xf32> -> tensor<?x4xf32>
    %m = kiln.route.group_mask %b, %g {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
    %w, %i = kiln.route.topk %m, %s {k = 4 : i64}
        : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
    %n = kiln.route.normalize %w {epsilon = 1.0e-20 : f32} : tensor<?x4xf32>
    %r = kiln.route.scale %n {factor = 2.5 : f32} : tensor<?x4xf32>
    ```
    After:
    ```mlir
    %r, %i = kiln.moe.router %logits bias @bias {epsilon = 1.0e-20 : f32, group_reduce =
        #kiln.group_reduce<top2_sum>, groups = 4 : i64, k = 4 : i64, keep_groups = 2 : i64,
        normalize = true, scaling_factor = 2.5 : f32, scoring = #kiln.scoring<sigmoid>}
        : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
    ```
  }];
  let statistics = [Statistic<"numFused", "fused-routers", "Routing chains fused into kiln.moe.router">];
}

def FuseResidualNorm : Pass<"kiln-fuse-residual-norm"> {
  let summary = "Fuse a residual kiln.add and the kiln.rms_norm of its result";
  let description = [{
    `kiln.rms_norm(kiln.add(a, b))` becomes one `kiln.add_rms_norm` that yields the sum (the
    residual stream, still used by the next residual add) and its norm. The add may have other
    users; a norm of anything else, or an add in another block, is left alone.

    Before:
    ```mlir
    %h1 = kiln.add %h, %attn : tensor<?x256xf32>
    %n = kiln.rms_norm %h1, @post_attention_layernorm : tensor<?x256xf32>
    ```
    After:
    ```mlir
    %h1, %n = kiln.add_rms_norm %h, %attn, @post_attention_layernorm : tensor<?x256xf32>
    ```
  }];
  let statistics = [Statistic<"numFused", "fused-norms", "Residual adds fused with their RMSNorm">];
}

def QuantizeActivations : Pass<"kiln-quantize-activations"> {
  let summary = "Make the act-quant semantics explicit: kiln.act_quant before each FP8 GEMM";
  let description = [{
    Each `kiln.linear` over a block-FP8 weight whose input is float gets that input quantised
    per token and 128 channels by a `kiln.act_quant` (ue8m0 scales when the module says so) and
    becomes the pre-quantised form. A value read by several FP8 linears is quantised once, right
    after its definition. Run it for `--fp8-gemm act-quant` (the default pipeline does); without
    it the lowering dequantises FP8 weights for float inputs. Linears inside `kiln.mla.attention`
    and `kiln.moe.experts` quantise inside their kernels.

    Before:
    ```mlir
    %g = kiln.linear %n, @mlp.gate_proj.weight : tensor<?x256xf32> -> tensor<?x128xf32>
    %u = kiln.linear %n, @mlp.up_proj.weight : tensor<?x256xf32> -> tensor<?x128xf32>
    ```
    After:
    ```mlir
    %q, %s = kiln.act_quant %n : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    %g = kiln.linear %q scale %s, @mlp.gate_proj.weight
        : tensor<?x256xf8E4M3FN>, tensor<?x2xf32> -> tensor<?x128xf32>
    %u = kiln.linear %q scale %s, @mlp.up_proj.weight
        : tensor<?x256xf8E4M3FN>, tensor<?x2xf32> -> tensor<?x128xf32>
    ```
  }];
  let statistics = [
    Statistic<"numQuantized", "quantized-values", "Activations given a kiln.act_quant">,
    Statistic<"numLinears", "quantized-linears", "FP8 linears now reading quantised input">
  ];
}

def FuseNormQuant : Pass<"kiln-fuse-norm-quant"> {
  let summary = "Fuse an RMSNorm and the activation quantisation of its result";
  let description = [{
    `kiln.act_quant(kiln.rms_norm(x))` becomes one `kiln.rms_norm_quant`, and
    `kiln.act_quant` of a `kiln.add_rms_norm`'s normalised result one `kiln.add_rms_norm_quant`
    (run after kiln-fuse-residual-norm, this is the norm feeding every FP8 MLP). The float norm
    stays a result for its other users (a MoE router, the experts). A quantisation of anything
    else, or of a norm in another block, is left alone.

    Before:
    ```mlir
    %h1, %n = kiln.add_rms_norm %h, %attn, @post_attention_layernorm : tensor<?x256xf32>
    %q, %s = kiln.act_quant %n : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    ```
    After:
    ```mlir
    %h1, %n, %q, %s = kiln.add_rms_norm_quant %h, %attn, @post_attention_layernorm
        : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    ```
  }];
  let statistics = [Statistic<"numFused", "fused-norm-quants", "Norms fused with their quantisation">];
}

def FuseSwiGLUQuant : Pass<"kiln-fuse-swiglu-quant"> {
  let summary = "Fuse SwiGLU and the activation quantisation of its result";
  let description = [{
    `kiln.act_quant(kiln.swiglu(gate, up))`, when the SwiGLU result has no other user, becomes
    one `kiln.swiglu_quant`: the f32 activation never leaves the kernel. A SwiGLU whose float
    result is read elsewhere is left alone.

    Before:
    ```mlir
    %a = kiln.swiglu %g, %u : tensor<?x128xf32>
    %q, %s = kiln.act_quant %a : tensor<?x128xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf32>
    ```
    After:
    ```mlir
    %q, %s = kiln.swiglu_quant %g, %u : tensor<?x128xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf32>
    ```
  }];
  let statistics = [Statistic<"numFused", "fused-swiglu-quants", "SwiGLUs fused with their quantisation">];
}

def AbsorbMLA : Pass<"kiln-absorb-mla", "::mlir::ModuleOp"> {
  let summary = "Absorb kv_b_proj into MLA's query and output for decode; naive for prefill";
  let description = [{
    Sets the `form` of every `kiln.mla.attention`. In `@decode` it is `absorbed`: W_UK (the key
    rows of each head's slice of `kv_b_proj`) is applied to the query and W_UV (the value rows)
    to the output, so attention runs over the cached `kv_lora + rope` latent (reference note
    §2.6); both are slices of the stored weight, dequantised per block when FP8, never a
    re-quantised product. In `@prefill` it is `naive` (`kv_b_proj` expands each cached latent of
    the sequence once into per-head keys and values), or `absorbed` with `prefill=absorbed`.
    Without this pass the lowering uses the absorbed form everywhere.

    Before:
    ```mlir
    func.func @decode(...) {
      %o, %c1 = kiln.mla.attention %n, %positions, %c layer 0 q @q kv_a @kv_a, @kv_a_norm
          kv_b @kv_b o @o {shape = #kiln.mla<...>, softmax_scale = 0.1352 : f32,
          rope_theta = 10000.0} : ...
    ```
    After:
    ```mlir
      %o, %c1 = kiln.mla.attention ... {form = #kiln.mla_form<absorbed>, ...} : ...
    ```
  }];
  let options = [
    Option<"prefill", "prefill", "std::string", /*default=*/"\"naive\"",
           "The form of prefill's attention: naive or absorbed">
  ];
  let statistics = [
    Statistic<"numAbsorbed", "absorbed", "MLA blocks in the absorbed form">,
    Statistic<"numNaive", "naive", "MLA blocks in the naive form">
  ];
}

def BuildFP8Gemms : Pass<"kiln-build-fp8-gemms", "::mlir::ModuleOp"> {
  let summary = "Build the sm_90a FP8 GEMM kernels of a module's block-FP8 linears into a gpu.module";
  let description = [{
    Adds `gpu.module @kiln_fp8_gemms` with the FP8 e4m3 block-scaled GEMM kernels a module's
    linear layers need (compiler/targets/cuda/FP8GemmSm90.h: TMA, an mbarrier pipeline, a
    producer warpgroup and wgmma consumers, persistent, M and split-K at run time). The plan
    is `planFP8Gemms`:
      - each distinct (N, K) of a `kiln.linear` over a block-FP8 weight gets a BM 128 kernel
        with bf16 output (prefill, M > 128), and a BM 128 (64 < M <= 128) and a BM 64
        (decode) kernel with f32 output and split-K;
      - each expert GEMM of a `kiln.moe.experts` gets a grouped contiguous BM 128 bf16 kernel
        and a grouped masked BM 64 f32 kernel.
    One more kernel is built per `shapes` entry: `NxK` (a dense linear's kernels), or
    `NxK:BMxBNxSTAGES` with any of `:grouped`, `:masked`, `:swap` (swap A/B), `:multicast`
    (clusters of two CTAs sharing the weight tile), `:bf16`, `:tmastore` (bf16 C through
    shared memory and TMA stores) and `:prefetch` (the next unit's first scales prefetched
    into L1 before each epilogue). With `chip=sm_89` or `chip=sm_80` the kernels
    are the mma.sync ones (compiler/targets/cuda/FP8GemmMma.h): one per dense (N, K), and a
    grouped contiguous and a grouped masked one per expert (N, K). The module becomes a `gpu.container_module`.
    This is what `kiln-compile --target sm_90a --emit ptx` lowers. kiln-opt runs it for lit
    tests and for `scripts/gpu-check`'s bundle.

    ```mlir
    // kiln-opt --kiln-build-fp8-gemms='shapes=2112x7168,256x512:64x128x4:masked'
    module attributes {gpu.container_module} {
      gpu.module @kiln_fp8_gemms {
        llvm.mlir.global external @kiln_fp8_dsmem() {addr_space = 3 : i32, ...}
        gpu.func @fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16(%a_s: !llvm.ptr, ...,
            %m: i32, %splits: i32) kernel
        gpu.func @fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8(...) kernel
        gpu.func @fp8_gemm_sm90_n2112_k7168_bm64_bn64_s8(...) kernel
        gpu.func @fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4(..., %groups: !llvm.ptr,
            %num_groups: i32) kernel
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "sm_90a (wgmma kernels) or sm_89 / sm_80 (mma.sync kernels)">,
    ListOption<"shapes", "shapes", "std::string",
               "More kernels. sm_90a: NxK (a dense linear's three) or NxK:BMxBNxSTAGES followed "
               "by any of :grouped, :masked, :swap, :multicast, :bf16, :tmastore, :prefetch (that one kernel). sm_89 / sm_80: NxK, "
               "then optionally :BN and :grouped or :masked">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect", "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // KILN_PASSES_TD
