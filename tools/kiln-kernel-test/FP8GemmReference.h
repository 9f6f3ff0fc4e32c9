// FP8GemmReference.h - what the FP8 GEMM checks share: random e4m3 inputs and scales, the float64
// reference of one element of the block-scaled product with its error bound, and the output
// buffer in f32 or bf16 (poisoned, uploaded, read back as floats).
#ifndef KILN_TOOLS_KERNEL_TEST_FP8GEMMREFERENCE_H
#define KILN_TOOLS_KERNEL_TEST_FP8GEMMREFERENCE_H

#include "KernelLauncher.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kiln::kerneltest {

constexpr size_t kGemmBlockK = 128;

// Random e4m3 bytes: every finite code, the NaN codes 0x7F/0xFF excluded.
void randomE4M3(std::mt19937_64 &random, std::vector<uint8_t> *bytes);

// Every e4m3 code, on one K position per row: row r holds code (r + first) % 256 at k = r % K
// and zeros elsewhere. With A laid out so from code 0 and B from code 128, each C[row, col] is
// one product or zero: C[r, r] pairs each code with its negation (more pairs where K < 256),
// and the rows and columns whose code is NaN are NaN. A code decoded wrongly (a subnormal
// flushed, a sign or a NaN lost) moves elements by all of their value.
void everyE4M3Code(size_t rows, size_t k, unsigned first, std::vector<uint8_t> *bytes);

// Positive scales spread log-uniformly over [2^-10, 2^-4], so a scale read from the wrong row
// or block changes the result; `ue8m0` rounds each to a power of two (DeepSeek-V3.1's format).
void randomScales(std::mt19937_64 &random, bool ue8m0, std::vector<float> *scales);

// C[row, col] = sum_kb (sum_{k in kb} a[k] b[k]) a_s[kb] b_s[kb] in float64 over K bytes (the
// last block may be partial), with its bound: 2^-8 of sum |a b| a_s b_s per block for the wgmma
// FP8 accumulator (measured on an H100: at most 2^-10.1), plus f32 rounding of the promotion
// (Higham's gamma), plus `outputRoundoff` |C| (bf16 output: 2^-8; f32: 0).
class BlockScaledReference {
public:
  BlockScaledReference(size_t k, double outputRoundoff);
  double at(const uint8_t *aRow, const uint8_t *bRow, const float *aScales,
            const float *bScales, double *bound) const;

private:
  size_t k_, kBlocks_;
  double gamma_, outputRoundoff_;
  double lut_[256];
};

// "N of M [sampled ]elements out of bounds; first C[row, col] = x, want y (bound b)": the
// failure line of a GEMM check whose element `first` (of `checked`) was the first out of
// bounds, at flat index `where` of a C with `columns` columns.
std::string outOfBoundsLine(size_t failures, size_t checked, bool sampled, size_t where,
                            size_t columns, float actual, double want, double bound);

// The GEMM's output: `elements` f32 or bf16 values in device memory, filled with NaN (or
// zeros, for split-K), and read back as floats.
class GemmOutput {
public:
  GemmOutput(size_t elements, bool bf16) : elements_(elements), bf16_(bf16) {}
  kiln_status_t upload(KernelLauncher &launcher, bool zero, CUdeviceptr *device);
  kiln_status_t download(KernelLauncher &launcher, CUdeviceptr device, std::vector<float> *out);
  // Rounding of the output type relative to |C|: 2^-8 for bf16 (round to nearest: 2^-9), 0.
  double roundoff() const { return bf16_ ? 1.0 / 256.0 : 0.0; }

private:
  size_t elements_;
  bool bf16_;
};

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_FP8GEMMREFERENCE_H
