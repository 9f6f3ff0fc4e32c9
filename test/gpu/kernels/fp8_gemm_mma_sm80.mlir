// kiln-compile's sm_80 FP8 GEMM (compiler/targets/cuda/FP8GemmMma.h: mma.sync, cp.async,
// ldmatrix; M at run time, N tails). No kernel text here: the GENERATE pass builds the
// kernels, as in fp8_gemm_sm90.mlir. Checked at M = 1, 7, 64, 128, partial tiles and 4096 (one
// DeepSeek-V3 shape, for timing), with N and K tails (K 208: a partial last block), and on
// every e4m3 code (fp8_gemm_mma_codes: a subnormal or NaN decoded wrongly fails), on an
// H100 as driver-JIT'd PTX. The routed experts' grouped kernels: contiguous (with a padding
// block that must stay unwritten) and masked (rows past each count must stay unwritten), with
// uneven groups, one of them empty, N and K tails, and DeepSeek-V3's expert shapes (gate and
// up fused, 4 x 8192 rows; down, 4 x 256 rows) for timing.
// GENERATE: kiln-build-fp8-gemms{chip=sm_80 shapes=256x512,200x256,2112x7168,192x208,256x512:grouped,200x208:masked,4096x7168:grouped,7168x2048:masked}
// TARGETS: sm_80:+ptx70
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma  1x256x512x64
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma  7x256x512x64
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma  64x256x512x64
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma  128x256x512x64
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma  200x256x512x64
// BUNDLE: fp8_gemm_sm80_n256_k512_bn64  fp8_gemm_mma_codes  256x256x512x64
// BUNDLE: fp8_gemm_sm80_n200_k256_bn64  fp8_gemm_mma  1x200x256x64
// BUNDLE: fp8_gemm_sm80_n200_k256_bn64  fp8_gemm_mma  100x200x256x64
// BUNDLE: fp8_gemm_sm80_n2112_k7168_bn64  fp8_gemm_mma  7x2112x7168x64
// BUNDLE: fp8_gemm_sm80_n2112_k7168_bn64  fp8_gemm_mma  4096x2112x7168x64
// BUNDLE: fp8_gemm_sm80_n192_k208_bn64  fp8_gemm_mma  1x192x208x64
// BUNDLE: fp8_gemm_sm80_n192_k208_bn64  fp8_gemm_mma  70x192x208x64
// BUNDLE: fp8_gemm_sm80_grouped_n256_k512_bn64  fp8_gemm_mma_grouped  4x100x256x512x64x2
// BUNDLE: fp8_gemm_sm80_grouped_n256_k512_bn64  fp8_gemm_mma_grouped  3x64x256x512x64x1
// BUNDLE: fp8_gemm_sm80_masked_n200_k208_bn64  fp8_gemm_mma_masked  4x50x200x208x64x2
// BUNDLE: fp8_gemm_sm80_masked_n200_k208_bn64  fp8_gemm_mma_masked  2x1x200x208x64x1
// BUNDLE: fp8_gemm_sm80_masked_n200_k208_bn64  fp8_gemm_mma_masked  5x130x200x208x64x2
// BUNDLE: fp8_gemm_sm80_grouped_n4096_k7168_bn64  fp8_gemm_mma_grouped  4x8192x4096x7168x64x1
// BUNDLE: fp8_gemm_sm80_masked_n7168_k2048_bn64  fp8_gemm_mma_masked  4x256x7168x2048x64x1
//
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-build-fp8-gemms{chip=sm_80 shapes=256x512,200x256,2112x7168,192x208,256x512:grouped,200x208:masked,4096x7168:grouped,7168x2048:masked}, nvvm-attach-target{chip=sm_80 features=+ptx70 O=3}, gpu.module(kiln-expand-f8, convert-scf-to-cf, convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' \
// RUN:   | python3 %S/../extract-gpu-binary.py - -o %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx
// CHECK: .target sm_80
// CHECK-LABEL: .entry fp8_gemm_sm80_n256_k512_bn64(
// CHECK: cp.async.cg.shared.global
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// e4m3 widened word-wide by kiln-expand-f8: one bf16x2 fma (by 2^120) per pair of codes.
// CHECK: fma.rn.bf16x2
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: e4m3
// CHECK: st.global.v2.{{b32|f32}}
// The grouped kernels take the group table and count after m:
// CHECK-LABEL: .entry fp8_gemm_sm80_grouped_n256_k512_bn64(
// CHECK: .param .u32 fp8_gemm_sm80_grouped_n256_k512_bn64_param_5,
// CHECK-NEXT: .param .u64 .ptr .align 1 fp8_gemm_sm80_grouped_n256_k512_bn64_param_6,
// CHECK-NEXT: .param .u32 fp8_gemm_sm80_grouped_n256_k512_bn64_param_7
// CHECK: ld.global.{{[sub]}}32
// CHECK: cp.async.cg.shared.global
// CHECK-LABEL: .entry fp8_gemm_sm80_masked_n200_k208_bn64(
// CHECK: cp.async.cg.shared.global

module {
}
