// Kiln's sm_90a FP8 e4m3 block-scaled GEMM as kiln-compile builds it (the kiln-build-fp8-gemms
// pass; compiler/targets/cuda/FP8GemmSm90Kernel.cpp): M at run time, N and K free of the
// tile. This file holds no kernel text: scripts/gpu-check and the RUN lines below run the
// GENERATE pass first, then lower through NVVM to PTX.
//
// The small kernels are checked:
//   - at M = 1, 7, 64, 128 and partial tiles, with N and K tails (N 192 and 200, K 320 and 208:
//     partial last K blocks, which TMA zero-fills);
//   - with ue8m0 (power-of-two) scales;
//   - with split-K: 2, 3 and 4 splits, the last with more splits than K blocks, so some units
//     are empty;
//   - at M = 20000: 314 units on 132 persistent CTAs;
//   - with bf16 output;
//   - on every e4m3 code, NaN included (fp8_gemm_sm90_codes; f32 and bf16 output): each C
//     element one product or zero, so a code decoded wrongly fails by its whole value;
//   - with swap A/B (the weights on wgmma's M side, 16-64 tokens on its N side) at M = 1 to
//     64, 128 and 4096, partial token tiles, N and K tails, ue8m0 scales, split-K, bf16 output
//     and 20000 rows;
//   - with the weight multicast (clusters of two CTAs sharing the weight tile): an odd number of
//     M tiles (M = 1, 7, 64 and 128 at BM 128, 300, 130, 150, 20000), whose last cluster's
//     second CTA has no rows, an even number (M = 128 at BM 64, 200, 256), N and K tails (the
//     half boxes of BN 64 and 128), ue8m0 scales, split-K and bf16 output;
//   - with the TMA-store epilogue (bf16 C staged in shared memory, stored by TMA): M = 1 to
//     20000 (the staging tile reused across persistent units), a warpgroup with no rows (M = 7
//     and 64 at BM 128), N tails (200, 192 with BN 64) and ue8m0 scales;
//   - as grouped contiguous and masked kernels with uneven groups, one of them empty. The
//     contiguous check also holds a padding block that must stay unwritten, and the masked
//     check has rows past each count that must stay unwritten.
//   - with the next unit's scales prefetched (`_prefetch`; dense f32 and bf16, grouped, masked,
//     swap A/B, multicast): shapes with more units than CTAs (M = 20000, 8 groups of 4000 or
//     2000 rows, split-K 8 over 4 K blocks, where half the units are empty), so every CTA
//     prefetches for a next unit, active or not. A prefetch changes no value: these checks
//     show the kernels still compute what the plain ones do.
// DeepSeek-V3's six (N, K) get the kernels kiln-compile plans: BM 128 with bf16 output (M > 128),
// and BM 128 (64 < M <= 128) and BM 64 (M <= 64) with f32 output and split-K. They are checked and
// timed at M = 64, 128 and 4096 (2112 also at M = 1 and 7), with chooseSm90Splits' count for 132
// SMs, and without split-K where that count is above 1. Swap A/B kernels are timed beside them at
// M = 64 (BM 64) and at M = 1 and 16 (BM 16 against the BM 64 kernel), to decide which small-M
// variant the plan takes. The multicast, TMA-store and prefetch BM 128 bf16 kernels are timed at
// M = 4096 beside the plain ones they would replace.
// The grouped benchmarks are contiguous 4 x 8192 and masked 4 x 256 rows, at (N, K) = (4096,
// 7168) and (7168, 2048).
// GENERATE: kiln-build-fp8-gemms{shapes=256x512:128x128x4,192x320:128x64x3,200x208:64x128x2,192x320:128x64x3:bf16,256x512:128x128x4:grouped,192x320:128x64x3:grouped:bf16,256x512:64x128x4:masked,200x208:64x128x2:masked,2112x7168,24576x1536,32768x512,7168x16384,4096x7168,7168x2048,4096x7168:128x128x6:grouped:bf16,4096x7168:64x128x6:masked,7168x2048:128x128x6:grouped:bf16,7168x2048:64x128x6:masked,256x512:16x128x4:swap,200x208:32x64x2:swap,192x320:64x128x3:swap:bf16,2112x7168:64x128x6:swap,24576x1536:64x128x6:swap,32768x512:64x128x4:swap,7168x16384:64x128x6:swap,4096x7168:64x128x6:swap,7168x2048:64x128x6:swap,4096x7168:16x128x6:swap,7168x16384:16x128x6:swap,256x512:128x128x4:multicast,200x208:64x64x2:multicast:bf16,192x320:64x128x3:multicast,2112x7168:128x64x8:multicast:bf16,24576x1536:128x128x6:multicast:bf16,32768x512:128x128x4:multicast:bf16,7168x16384:128x128x6:multicast:bf16,4096x7168:128x128x6:multicast:bf16,7168x2048:128x128x6:multicast:bf16,256x512:128x128x4:bf16:tmastore,200x208:64x64x2:bf16:tmastore,192x320:128x64x3:bf16:tmastore,2112x7168:128x64x8:bf16:tmastore,24576x1536:128x128x6:bf16:tmastore,32768x512:128x128x4:bf16:tmastore,7168x16384:128x128x6:bf16:tmastore,4096x7168:128x128x6:bf16:tmastore,7168x2048:128x128x6:bf16:tmastore,256x512:128x128x4:prefetch,200x208:64x64x2:bf16:prefetch,256x512:128x128x4:grouped:prefetch,256x512:64x128x4:masked:prefetch,256x512:16x128x4:swap:prefetch,256x512:128x128x4:multicast:prefetch,2112x7168:128x64x8:bf16:prefetch,24576x1536:128x128x6:bf16:prefetch,32768x512:128x128x4:bf16:prefetch,7168x16384:128x128x6:bf16:prefetch,4096x7168:128x128x6:bf16:prefetch,7168x2048:128x128x6:bf16:prefetch,256x512:128x128x4:bf16:tmastore:prefetch}
// TARGETS: sm_90a
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  1x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  7x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  64x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  128x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  200x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  7x256x512x128x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  7x256x512x128x128x4x32x2x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90  20000x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_codes  256x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3  fp8_gemm_sm90  1x192x320x128x64x3x32x1x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3  fp8_gemm_sm90  7x192x320x128x64x3x32x1x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3  fp8_gemm_sm90  130x192x320x128x64x3x32x1x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3  fp8_gemm_sm90  130x192x320x128x64x3x8x1x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3  fp8_gemm_sm90  7x192x320x128x64x3x32x3x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn128_s2  fp8_gemm_sm90  1x200x208x64x128x2x32x1x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn128_s2  fp8_gemm_sm90  7x200x208x64x128x2x32x1x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn128_s2  fp8_gemm_sm90  64x200x208x64x128x2x32x1x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn128_s2  fp8_gemm_sm90  100x200x208x64x128x2x32x1x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn128_s2  fp8_gemm_sm90  100x200x208x64x128x2x32x4x32
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3_bf16  fp8_gemm_sm90  1x192x320x128x64x3x32x1x16
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3_bf16  fp8_gemm_sm90  130x192x320x128x64x3x32x1x16
// BUNDLE: fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_grouped  4x200x256x512x128x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_grouped  4x200x256x512x128x128x4x32x2x2
// BUNDLE: fp8_gemm_sm90_grouped_n192_k320_bm128_bn64_s3_bf16  fp8_gemm_sm90_grouped  3x130x192x320x128x64x3x16x1x2
// BUNDLE: fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4  fp8_gemm_sm90_masked  4x100x256x512x64x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4  fp8_gemm_sm90_masked  4x100x256x512x64x128x4x32x2x2
// BUNDLE: fp8_gemm_sm90_masked_n200_k208_bm64_bn128_s2  fp8_gemm_sm90_masked  5x70x200x208x64x128x2x32x1x2
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm64_bn64_s8  fp8_gemm_sm90  1x2112x7168x64x64x8x32x4x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm64_bn64_s8  fp8_gemm_sm90  7x2112x7168x64x64x8x8x4x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm64_bn64_s8  fp8_gemm_sm90  64x2112x7168x64x64x8x32x4x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm64_bn64_s8  fp8_gemm_sm90  64x2112x7168x64x64x8x32x1x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8  fp8_gemm_sm90  128x2112x7168x128x64x8x32x4x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16  fp8_gemm_sm90  128x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16  fp8_gemm_sm90  4096x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16  fp8_gemm_sm90_codes  256x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8  fp8_gemm_sm90  4096x2112x7168x128x64x8x32x1x32
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm64_bn128_s6  fp8_gemm_sm90  64x24576x1536x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6  fp8_gemm_sm90  128x24576x1536x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6_bf16  fp8_gemm_sm90  128x24576x1536x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6_bf16  fp8_gemm_sm90  4096x24576x1536x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6  fp8_gemm_sm90  4096x24576x1536x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm64_bn128_s4  fp8_gemm_sm90  64x32768x512x64x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4  fp8_gemm_sm90  128x32768x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16  fp8_gemm_sm90  128x32768x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16  fp8_gemm_sm90  4096x32768x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4  fp8_gemm_sm90  4096x32768x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm64_bn128_s6  fp8_gemm_sm90  64x7168x16384x64x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm64_bn128_s6  fp8_gemm_sm90  64x7168x16384x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6  fp8_gemm_sm90  128x7168x16384x128x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6_bf16  fp8_gemm_sm90  128x7168x16384x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6_bf16  fp8_gemm_sm90  4096x7168x16384x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6  fp8_gemm_sm90  4096x7168x16384x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90  64x4096x7168x64x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90  64x4096x7168x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6  fp8_gemm_sm90  128x4096x7168x128x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16  fp8_gemm_sm90  128x4096x7168x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16  fp8_gemm_sm90  4096x4096x7168x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6  fp8_gemm_sm90  4096x4096x7168x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm64_bn128_s6  fp8_gemm_sm90  64x7168x2048x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6  fp8_gemm_sm90  128x7168x2048x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6_bf16  fp8_gemm_sm90  128x7168x2048x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6_bf16  fp8_gemm_sm90  4096x7168x2048x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6  fp8_gemm_sm90  4096x7168x2048x128x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_grouped_n4096_k7168_bm128_bn128_s6_bf16  fp8_gemm_sm90_grouped  4x8192x4096x7168x128x128x6x16x1x1
// BUNDLE: fp8_gemm_sm90_masked_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90_masked  4x256x4096x7168x64x128x6x32x1x1
// BUNDLE: fp8_gemm_sm90_grouped_n7168_k2048_bm128_bn128_s6_bf16  fp8_gemm_sm90_grouped  4x8192x7168x2048x128x128x6x16x1x1
// BUNDLE: fp8_gemm_sm90_masked_n7168_k2048_bm64_bn128_s6  fp8_gemm_sm90_masked  4x256x7168x2048x64x128x6x32x1x1
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  1x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  7x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  16x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  33x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  64x256x512x16x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  40x256x512x16x128x4x32x3x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  128x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  4096x256x512x16x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4  fp8_gemm_sm90_swap  20000x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n200_k208_bm32_bn64_s2  fp8_gemm_sm90_swap  1x200x208x32x64x2x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n200_k208_bm32_bn64_s2  fp8_gemm_sm90_swap  45x200x208x32x64x2x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n200_k208_bm32_bn64_s2  fp8_gemm_sm90_swap  45x200x208x32x64x2x32x2x32
// BUNDLE: fp8_gemm_sm90_swap_n192_k320_bm64_bn128_s3_bf16  fp8_gemm_sm90_swap  7x192x320x64x128x3x32x1x16
// BUNDLE: fp8_gemm_sm90_swap_n192_k320_bm64_bn128_s3_bf16  fp8_gemm_sm90_swap  100x192x320x64x128x3x32x1x16
// BUNDLE: fp8_gemm_sm90_swap_n2112_k7168_bm64_bn128_s6  fp8_gemm_sm90_swap  64x2112x7168x64x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_swap_n24576_k1536_bm64_bn128_s6  fp8_gemm_sm90_swap  64x24576x1536x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n32768_k512_bm64_bn128_s4  fp8_gemm_sm90_swap  64x32768x512x64x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n7168_k16384_bm64_bn128_s6  fp8_gemm_sm90_swap  64x7168x16384x64x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_swap_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90_swap  64x4096x7168x64x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_swap_n7168_k2048_bm64_bn128_s6  fp8_gemm_sm90_swap  64x7168x2048x64x128x6x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n4096_k7168_bm16_bn128_s6  fp8_gemm_sm90_swap  1x4096x7168x16x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90  1x4096x7168x64x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_swap_n4096_k7168_bm16_bn128_s6  fp8_gemm_sm90_swap  16x4096x7168x16x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm64_bn128_s6  fp8_gemm_sm90  16x4096x7168x64x128x6x32x4x32
// BUNDLE: fp8_gemm_sm90_swap_n7168_k16384_bm16_bn128_s6  fp8_gemm_sm90_swap  1x7168x16384x16x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm64_bn128_s6  fp8_gemm_sm90  1x7168x16384x64x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_swap_n7168_k16384_bm16_bn128_s6  fp8_gemm_sm90_swap  16x7168x16384x16x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm64_bn128_s6  fp8_gemm_sm90  16x7168x16384x64x128x6x32x2x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  1x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  7x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  64x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  128x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  200x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  300x256x512x128x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  300x256x512x128x128x4x32x2x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4  fp8_gemm_sm90_multicast  20000x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n200_k208_bm64_bn64_s2_bf16  fp8_gemm_sm90_multicast  1x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n200_k208_bm64_bn64_s2_bf16  fp8_gemm_sm90_multicast  130x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n200_k208_bm64_bn64_s2_bf16  fp8_gemm_sm90_multicast  256x200x208x64x64x2x8x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n192_k320_bm64_bn128_s3  fp8_gemm_sm90_multicast  7x192x320x64x128x3x32x3x32
// BUNDLE: fp8_gemm_sm90_multicast_n192_k320_bm64_bn128_s3  fp8_gemm_sm90_multicast  150x192x320x64x128x3x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n192_k320_bm64_bn128_s3  fp8_gemm_sm90_multicast  64x192x320x64x128x3x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n192_k320_bm64_bn128_s3  fp8_gemm_sm90_multicast  128x192x320x64x128x3x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n2112_k7168_bm128_bn64_s8_bf16  fp8_gemm_sm90_multicast  4096x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n24576_k1536_bm128_bn128_s6_bf16  fp8_gemm_sm90_multicast  4096x24576x1536x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n32768_k512_bm128_bn128_s4_bf16  fp8_gemm_sm90_multicast  4096x32768x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n7168_k16384_bm128_bn128_s6_bf16  fp8_gemm_sm90_multicast  4096x7168x16384x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n4096_k7168_bm128_bn128_s6_bf16  fp8_gemm_sm90_multicast  4096x4096x7168x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_multicast_n7168_k2048_bm128_bn128_s6_bf16  fp8_gemm_sm90_multicast  4096x7168x2048x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  1x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  7x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  64x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  128x256x512x128x128x4x8x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  200x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  20000x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_tmastore  fp8_gemm_sm90_tmastore  1x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_tmastore  fp8_gemm_sm90_tmastore  64x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_tmastore  fp8_gemm_sm90_tmastore  130x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3_bf16_tmastore  fp8_gemm_sm90_tmastore  7x192x320x128x64x3x32x1x16
// BUNDLE: fp8_gemm_sm90_n192_k320_bm128_bn64_s3_bf16_tmastore  fp8_gemm_sm90_tmastore  330x192x320x128x64x3x8x1x16
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x24576x1536x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x32768x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x7168x16384x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x4096x7168x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6_bf16_tmastore  fp8_gemm_sm90_tmastore  4096x7168x2048x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90  1x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90  7x256x512x128x128x4x32x2x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90  300x256x512x128x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90  20000x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90  20000x256x512x128x128x4x32x8x32
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_prefetch  fp8_gemm_sm90  1x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_prefetch  fp8_gemm_sm90  130x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_prefetch  fp8_gemm_sm90  20000x200x208x64x64x2x32x1x16
// BUNDLE: fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_grouped  4x200x256x512x128x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_grouped  8x4000x256x512x128x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_grouped  8x4000x256x512x128x128x4x32x2x2
// BUNDLE: fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4_prefetch  fp8_gemm_sm90_masked  4x100x256x512x64x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4_prefetch  fp8_gemm_sm90_masked  8x2000x256x512x64x128x4x32x1x2
// BUNDLE: fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4_prefetch  fp8_gemm_sm90_masked  8x2000x256x512x64x128x4x32x2x2
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch  fp8_gemm_sm90_swap  1x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch  fp8_gemm_sm90_swap  33x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch  fp8_gemm_sm90_swap  40x256x512x16x128x4x32x3x32
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch  fp8_gemm_sm90_swap  20000x256x512x16x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_multicast  7x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_multicast  300x256x512x128x128x4x8x1x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_multicast  300x256x512x128x128x4x32x2x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_multicast  20000x256x512x128x128x4x32x1x32
// BUNDLE: fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16_prefetch  fp8_gemm_sm90  4096x2112x7168x128x64x8x32x1x16
// BUNDLE: fp8_gemm_sm90_n24576_k1536_bm128_bn128_s6_bf16_prefetch  fp8_gemm_sm90  4096x24576x1536x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16_prefetch  fp8_gemm_sm90  4096x32768x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k16384_bm128_bn128_s6_bf16_prefetch  fp8_gemm_sm90  4096x7168x16384x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16_prefetch  fp8_gemm_sm90  4096x4096x7168x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_n7168_k2048_bm128_bn128_s6_bf16_prefetch  fp8_gemm_sm90  4096x7168x2048x128x128x6x32x1x16
// BUNDLE: fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch  fp8_gemm_sm90_swap  20000x256x512x16x128x4x32x3x32
// BUNDLE: fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch  fp8_gemm_sm90_multicast  20000x256x512x128x128x4x32x2x32
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_prefetch  fp8_gemm_sm90_tmastore  7x256x512x128x128x4x32x1x16
// BUNDLE: fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_prefetch  fp8_gemm_sm90_tmastore  20000x256x512x128x128x4x32x1x16
//
// The PTX of LLVM's NVPTX backend: the launch ABI, TMA, the mbarrier pipeline and wgmma e4m3.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-build-fp8-gemms{shapes=256x512:128x128x4,192x320:128x64x3,200x208:64x128x2,192x320:128x64x3:bf16,256x512:128x128x4:grouped,192x320:128x64x3:grouped:bf16,256x512:64x128x4:masked,200x208:64x128x2:masked,2112x7168,24576x1536,32768x512,7168x16384,4096x7168,7168x2048,4096x7168:128x128x6:grouped:bf16,4096x7168:64x128x6:masked,7168x2048:128x128x6:grouped:bf16,7168x2048:64x128x6:masked,256x512:16x128x4:swap,200x208:32x64x2:swap,192x320:64x128x3:swap:bf16,2112x7168:64x128x6:swap,24576x1536:64x128x6:swap,32768x512:64x128x4:swap,7168x16384:64x128x6:swap,4096x7168:64x128x6:swap,7168x2048:64x128x6:swap,4096x7168:16x128x6:swap,7168x16384:16x128x6:swap,256x512:128x128x4:multicast,200x208:64x64x2:multicast:bf16,192x320:64x128x3:multicast,2112x7168:128x64x8:multicast:bf16,24576x1536:128x128x6:multicast:bf16,32768x512:128x128x4:multicast:bf16,7168x16384:128x128x6:multicast:bf16,4096x7168:128x128x6:multicast:bf16,7168x2048:128x128x6:multicast:bf16,256x512:128x128x4:bf16:tmastore,200x208:64x64x2:bf16:tmastore,192x320:128x64x3:bf16:tmastore,2112x7168:128x64x8:bf16:tmastore,24576x1536:128x128x6:bf16:tmastore,32768x512:128x128x4:bf16:tmastore,7168x16384:128x128x6:bf16:tmastore,4096x7168:128x128x6:bf16:tmastore,7168x2048:128x128x6:bf16:tmastore,256x512:128x128x4:prefetch,200x208:64x64x2:bf16:prefetch,256x512:128x128x4:grouped:prefetch,256x512:64x128x4:masked:prefetch,256x512:16x128x4:swap:prefetch,256x512:128x128x4:multicast:prefetch,2112x7168:128x64x8:bf16:prefetch,24576x1536:128x128x6:bf16:prefetch,32768x512:128x128x4:bf16:prefetch,7168x16384:128x128x6:bf16:prefetch,4096x7168:128x128x6:bf16:prefetch,7168x2048:128x128x6:bf16:prefetch,256x512:128x128x4:bf16:tmastore:prefetch}, nvvm-attach-target{chip=sm_90a features=+ptx80 O=3}, gpu.module(convert-scf-to-cf, convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' \
// RUN:   | python3 %S/../extract-gpu-binary.py - -o %t.ptx
// RUN: FileCheck %s --input-file=%t.ptx
//
// CHECK: .target sm_90a
// CHECK: .extern .shared .align 1024 .b8 kiln_fp8_dsmem[];
// CHECK-LABEL: .entry fp8_gemm_sm90_n256_k512_bm128_bn128_s4(
// CHECK-COUNT-5: .param .u64 .ptr .align 1 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_param_
// CHECK-NEXT: .param .u32 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_param_5,
// CHECK-NEXT: .param .u32 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_param_6
// CHECK-NEXT: )
// One CTA per SM fixes the register count at entry (168), so ptxas honours the register moves.
// CHECK: .maxntid 384, 1, 1
// CHECK-NEXT: .minnctapersm 1
// CHECK: mbarrier.init.shared.b64
// CHECK: fence.mbarrier_init.release.cluster;
// CHECK: fence.proxy.async.shared::cta;
// CHECK: bar.sync
// The producer warpgroup gives registers back to the two consumer warpgroups.
// CHECK: setmaxnreg.dec.sync.aligned.u32 40;
// The producer (its K loop unrolled here: 4 blocks, 4 stages): expect the stage's bytes, two TMA
// loads completing on its mbarrier.
// CHECK: mbarrier.arrive.expect_tx.shared.b64
// CHECK: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// CHECK-NEXT: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// The consumers: take the registers, wait for the stage, wgmma, free it, promote, store.
// CHECK: setmaxnreg.inc.sync.aligned.u32 232;
// CHECK: mbarrier.try_wait.parity.shared.b64
// CHECK: wgmma.fence.sync.aligned;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3
// CHECK: wgmma.commit_group.sync.aligned;
// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;
// CHECK: mbarrier.arrive.shared.b64
// CHECK: fma.rn.f32
// CHECK: st.global.v2.b32
// CHECK-LABEL: .entry fp8_gemm_sm90_n192_k320_bm128_bn64_s3(
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k32.f32.e4m3.e4m3
// The bf16-output kernel rounds pairs to bf16 and stores 4 bytes:
// CHECK-LABEL: .entry fp8_gemm_sm90_n192_k320_bm128_bn64_s3_bf16(
// CHECK: cvt.rn.bf16x2.f32
// CHECK: st.global.b32
// The grouped kernels take the group table and count:
// CHECK-LABEL: .entry fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4(
// CHECK: .param .u64 .ptr .align 1 fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_param_7,
// CHECK-NEXT: .param .u32 fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_param_8
// CHECK: cp.async.bulk.tensor.2d
// One consumer warpgroup (256 threads, up to 255 registers each at entry) moves none.
// CHECK-LABEL: .entry fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4(
// CHECK-NOT: setmaxnreg
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3
// CHECK: atom.global.add.f32
// Swap A/B: the weights on wgmma's M side (two consumer warpgroups for 128 weight rows), the
// 16 tokens on its N side; C is written one element at a time.
// CHECK-LABEL: .entry fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4(
// CHECK: .maxntid 384, 1, 1
// CHECK: setmaxnreg.dec.sync.aligned.u32 40;
// CHECK: cp.async.bulk.tensor.2d
// CHECK: setmaxnreg.inc.sync.aligned.u32 232;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n16k32.f32.e4m3.e4m3
// CHECK: st.global.b32
// CHECK-LABEL: .entry fp8_gemm_sm90_swap_n200_k208_bm32_bn64_s2(
// CHECK: .maxntid 256, 1, 1
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n32k32.f32.e4m3.e4m3
// CHECK: atom.global.add.f32
// The weight multicast: clusters of two CTAs fixed in the kernel (a plain launch forms them), a
// cluster barrier once the mbarriers are set up and again before exit, this CTA's A tile loaded
// for itself and its half of the weight tile multicast to both CTAs (mask 3), expecting the whole
// stage (A 16 KiB + B 16 KiB), and each stage released on both CTAs' empty barriers (mapa).
// CHECK-LABEL: .entry fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4(
// CHECK: .maxntid 384, 1, 1
// CHECK-NEXT: .minnctapersm 1
// CHECK-NEXT: .explicitcluster
// CHECK-NEXT: .reqnctapercluster 2, 1, 1
// The units are walked per cluster, from the cluster registers.
// CHECK: mov.u32 {{%r[0-9]+}}, %nclusterid.x;
// CHECK: mov.u32 {{%r[0-9]+}}, %cluster_ctarank;
// CHECK-NEXT: mov.u32 {{%r[0-9]+}}, %clusterid.x;
// CHECK: fence.mbarrier_init.release.cluster;
// CHECK: bar.sync
// CHECK-NEXT: barrier.cluster.arrive;
// CHECK-NEXT: barrier.cluster.wait;
// CHECK: setmaxnreg.dec.sync.aligned.u32 40;
// CHECK: mov.b32 [[STAGE:%r[0-9]+]], 32768;
// CHECK-NEXT: mbarrier.arrive.expect_tx.shared.b64 {{.*}}, [[STAGE]];
// CHECK: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [
// CHECK-NEXT: mov.b16 [[MASK:%rs[0-9]+]], 3;
// CHECK-NEXT: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes.multicast::cluster [{{.*}}], [[MASK]];
// CHECK: setmaxnreg.inc.sync.aligned.u32 232;
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK: mapa.shared::cluster.u64
// CHECK-NEXT: mov.b32
// CHECK-NEXT: mbarrier.arrive.release.cluster.shared::cluster.b64 _,
// CHECK: barrier.cluster.arrive;
// CHECK-NEXT: barrier.cluster.wait;
// CHECK-NEXT: ret;
// One consumer warpgroup: no register moves; a stage of A 8 KiB and B 8 KiB (two halves of 32
// rows).
// CHECK-LABEL: .entry fp8_gemm_sm90_multicast_n200_k208_bm64_bn64_s2_bf16(
// CHECK: .reqnctapercluster 2, 1, 1
// CHECK-NOT: setmaxnreg
// CHECK: mov.b32 [[HALFSTAGE:%r[0-9]+]], 16384;
// CHECK-NEXT: mbarrier.arrive.expect_tx.shared.b64 {{.*}}, [[HALFSTAGE]];
// CHECK: multicast::cluster
// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k32.f32.e4m3.e4m3
// The TMA-store epilogue: wait until the last unit's stores have read the staging tile, a
// warpgroup barrier (named, 128 threads), the bf16 pairs into the swizzled staging tile, the
// async-proxy fence, the barrier again, then two 64-column TMA stores as one bulk group; the
// CTA waits for its stores before it exits.
// CHECK-LABEL: .entry fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore(
// CHECK-COUNT-5: .param .u64 .ptr .align 1 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_param_
// CHECK-NEXT: .param .u32 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_param_5,
// CHECK-NEXT: .param .u32 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_param_6,
// CHECK-NEXT: .param .u64 .ptr .align 1 fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_param_7
// CHECK: cp.async.bulk.wait_group.read 0;
// CHECK: bar.sync {{%r[0-9]+}}, 128;
// CHECK-COUNT-32: st.shared.b32
// CHECK: fence.proxy.async.shared::cta;
// CHECK-NEXT: bar.sync {{%r[0-9]+}}, 128;
// CHECK: cp.async.bulk.tensor.2d.global.shared::cta.tile.bulk_group
// CHECK-NEXT: cp.async.bulk.tensor.2d.global.shared::cta.tile.bulk_group
// CHECK-NEXT: cp.async.bulk.commit_group;
// CHECK: cp.async.bulk.wait_group 0;
// With `_prefetch`, after the K loop and before the epilogue: the next unit's two a_s lines and
// its b_s line into L1 (swap A/B with 16 tokens: four a_s lines).
// CHECK-LABEL: .entry fp8_gemm_sm90_n256_k512_bm128_bn128_s4_prefetch(
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK: atom.global.add.f32
// CHECK-LABEL: .entry fp8_gemm_sm90_n200_k208_bm64_bn64_s2_bf16_prefetch(
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK-LABEL: .entry fp8_gemm_sm90_grouped_n256_k512_bm128_bn128_s4_prefetch(
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK-LABEL: .entry fp8_gemm_sm90_masked_n256_k512_bm64_bn128_s4_prefetch(
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK-LABEL: .entry fp8_gemm_sm90_swap_n256_k512_bm16_bn128_s4_prefetch(
// CHECK-COUNT-5: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK-LABEL: .entry fp8_gemm_sm90_multicast_n256_k512_bm128_bn128_s4_prefetch(
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-NOT: {{[[:space:]]prefetch[.]}}
// CHECK-LABEL: .entry fp8_gemm_sm90_n2112_k7168_bm128_bn64_s8_bf16_prefetch(
// CHECK-COUNT-3: prefetch.global.L1
// CHECK-LABEL: .entry fp8_gemm_sm90_n256_k512_bm128_bn128_s4_bf16_tmastore_prefetch(
// CHECK: wgmma.wait_group.sync.aligned 0;
// CHECK-COUNT-3: prefetch.global.L1
// CHECK: cp.async.bulk.wait_group.read 0;

module {
}
