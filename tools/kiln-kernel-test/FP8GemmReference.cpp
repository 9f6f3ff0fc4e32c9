// FP8GemmReference.cpp - random FP8 GEMM inputs, the float64 reference, the output buffer.
#include "FP8GemmReference.h"

#include "E4M3.h"
#include "ErrorStats.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln::kerneltest {
namespace {

// Allowance per K block for the wgmma FP8 accumulator, relative to S_kb: 2^-8 (4x the largest
// seen); one product missing or counted twice in a block (~S_kb / 128) still fails.
constexpr double kWgmmaFp8Error = 1.0 / 256.0;
// A bf16 NaN in both halves of a 32-bit word, so a poisoned bf16 buffer reads NaN everywhere.
constexpr uint32_t kBF16NaNPair = 0x7FC07FC0u;

} // namespace

void randomE4M3(std::mt19937_64 &random, std::vector<uint8_t> *bytes) {
  size_t i = 0;
  while (i < bytes->size()) {
    uint64_t bits = random();
    for (int b = 0; b < 8 && i < bytes->size(); ++b, bits >>= 8) {
      uint8_t code = static_cast<uint8_t>(bits);
      if (!isE4M3NaN(code))
        (*bytes)[i++] = code;
    }
  }
}

void everyE4M3Code(size_t rows, size_t k, unsigned first, std::vector<uint8_t> *bytes) {
  bytes->assign(rows * k, 0);
  for (size_t row = 0; row < rows; ++row)
    (*bytes)[row * k + row % k] = static_cast<uint8_t>((row + first) % 256);
}

void randomScales(std::mt19937_64 &random, bool ue8m0, std::vector<float> *scales) {
  std::uniform_real_distribution<double> octaves(-10.0, -4.0);
  for (float &s : *scales) {
    double e = octaves(random);
    s = static_cast<float>(std::exp2(ue8m0 ? std::round(e) : e));
  }
}

BlockScaledReference::BlockScaledReference(size_t k, double outputRoundoff)
    : k_(k), kBlocks_((k + kGemmBlockK - 1) / kGemmBlockK), outputRoundoff_(outputRoundoff) {
  gamma_ = (kBlocks_ + 2) * kFloat32Roundoff / (1 - (kBlocks_ + 2) * kFloat32Roundoff);
  for (int code = 0; code < 256; ++code)
    lut_[code] = decodeE4M3(static_cast<uint8_t>(code));
}

double BlockScaledReference::at(const uint8_t *aRow, const uint8_t *bRow, const float *aScales,
                                const float *bScales, double *bound) const {
  double sum = 0, wgmmaBound = 0, promoted = 0;
  for (size_t kb = 0; kb < kBlocks_; ++kb) {
    double partial = 0, magnitude = 0;
    for (size_t i = kb * kGemmBlockK; i < std::min(k_, (kb + 1) * kGemmBlockK); ++i) {
      double product = lut_[aRow[i]] * lut_[bRow[i]];
      partial += product;
      magnitude += std::fabs(product);
    }
    double s = static_cast<double>(aScales[kb]) * static_cast<double>(bScales[kb]);
    sum += partial * s;
    wgmmaBound += kWgmmaFp8Error * magnitude * s;
    promoted += std::fabs(partial) * s;
  }
  *bound = wgmmaBound + gamma_ * promoted + outputRoundoff_ * std::fabs(sum) + FLT_MIN;
  return sum;
}

std::string outOfBoundsLine(size_t failures, size_t checked, bool sampled, size_t where,
                            size_t columns, float actual, double want, double bound) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%zu of %zu %selements out of bounds; first C[%zu, %zu] = %.9g, want %.9g "
                "(bound %.3g)",
                failures, checked, sampled ? "sampled " : "", where / columns, where % columns,
                actual, want, bound);
  return line;
}

kiln_status_t GemmOutput::upload(KernelLauncher &launcher, bool zero, CUdeviceptr *device) {
  if (!bf16_) {
    std::vector<float> host(elements_, zero ? 0.0f : std::numeric_limits<float>::quiet_NaN());
    return launcher.upload(host, device);
  }
  std::vector<uint32_t> host((elements_ + 1) / 2, zero ? 0u : kBF16NaNPair);
  return launcher.upload(host.data(), host.size() * sizeof(uint32_t), device);
}

kiln_status_t GemmOutput::download(KernelLauncher &launcher, CUdeviceptr device,
                                   std::vector<float> *out) {
  if (!bf16_) {
    out->assign(elements_, 0.0f);
    return launcher.download(device, out);
  }
  std::vector<float> words((elements_ + 1) / 2);
  if (kiln_status_t status = launcher.download(device, &words))
    return status;
  std::vector<uint16_t> halves(words.size() * 2);
  std::memcpy(halves.data(), words.data(), words.size() * sizeof(float));
  out->resize(elements_);
  for (size_t i = 0; i < elements_; ++i) {
    uint32_t bits = static_cast<uint32_t>(halves[i]) << 16;
    std::memcpy(&(*out)[i], &bits, sizeof bits);
  }
  return nullptr;
}

} // namespace kiln::kerneltest
