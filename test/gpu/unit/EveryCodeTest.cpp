// Unit tests of the every-code inputs (fp8_gemm_sm90_codes, fp8_gemm_mma_codes): their layout,
// the float64 reference on them, and that the comparison catches a kernel that decodes one class
// of codes wrongly (here: subnormals flushed to zero, or the sign of NaN codes' rows lost).
#include "E4M3.h"
#include "ErrorStats.h"
#include "FP8GemmReference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace kiln::kerneltest;

namespace {

constexpr size_t kRows = 256, kK = 512, kKBlocks = kK / kGemmBlockK;

bool isSubnormal(uint8_t code) { return ((code >> 3) & 0xF) == 0 && (code & 7) != 0; }

// The checks' inputs with unit scales, the reference of every element and its bound.
struct EveryCodeGemm {
  std::vector<uint8_t> a, b;
  std::vector<double> reference, bound;
  EveryCodeGemm() {
    everyE4M3Code(kRows, kK, 0, &a);
    everyE4M3Code(kRows, kK, 128, &b);
    std::vector<float> ones(kKBlocks, 1.0f);
    BlockScaledReference blockScaled(kK, /*outputRoundoff=*/0);
    for (size_t row = 0; row < kRows; ++row)
      for (size_t col = 0; col < kRows; ++col) {
        double elementBound = 0;
        reference.push_back(blockScaled.at(&a[row * kK], &b[col * kK], ones.data(),
                                           ones.data(), &elementBound));
        bound.push_back(elementBound);
      }
  }
  double at(size_t row, size_t col) const { return reference[row * kRows + col]; }
};

} // namespace

TEST(EveryCode, Layout) {
  std::vector<uint8_t> bytes;
  everyE4M3Code(300, 128, 128, &bytes);
  ASSERT_EQ(bytes.size(), 300u * 128u);
  for (size_t row = 0; row < 300; ++row)
    for (size_t k = 0; k < 128; ++k)
      EXPECT_EQ(bytes[row * 128 + k], k == row % 128 ? (row + 128) % 256 : 0) << row << " " << k;
}

// C[r, r] is code r times its negation; off the diagonal 0; the rows and columns of the NaN
// codes (A: rows 0x7F and 0xFF; B: columns 0xFF and 0x7F, which hold codes 0x7F and 0xFF) NaN.
TEST(EveryCode, Reference) {
  EveryCodeGemm gemm;
  for (size_t row = 0; row < kRows; ++row)
    for (size_t col = 0; col < kRows; ++col) {
      const bool nan = isE4M3NaN(static_cast<uint8_t>(row)) || col == 0x7F || col == 0xFF;
      if (nan)
        EXPECT_TRUE(std::isnan(gemm.at(row, col))) << row << " " << col;
      else if (row == col)
        EXPECT_EQ(gemm.at(row, col), -decodeE4M3(static_cast<uint8_t>(row)) *
                                         decodeE4M3(static_cast<uint8_t>(row)))
            << row;
      else
        EXPECT_EQ(gemm.at(row, col), 0.0) << row << " " << col;
    }
}

TEST(EveryCode, ExactOutputPassesNaNIncluded) {
  EveryCodeGemm gemm;
  std::vector<float> actual(gemm.reference.begin(), gemm.reference.end());
  ErrorStats stats = compareToReference(actual, gemm.reference, gemm.bound);
  EXPECT_EQ(stats.failures, 0u);
}

// A kernel that flushes subnormal codes to zero leaves 0 where C[r, r] = -v(r)^2 for the 14
// subnormal codes (0x01-0x07, 0x81-0x87): every one of them out of bounds.
TEST(EveryCode, FlushedSubnormalsFail) {
  EveryCodeGemm gemm;
  std::vector<float> actual(gemm.reference.begin(), gemm.reference.end());
  for (size_t row = 0; row < kRows; ++row)
    if (isSubnormal(static_cast<uint8_t>(row)))
      actual[row * kRows + row] = 0.0f;
  ErrorStats stats = compareToReference(actual, gemm.reference, gemm.bound);
  EXPECT_EQ(stats.failures, 14u);
  EXPECT_EQ(stats.firstFailure, 1u * kRows + 1u); // C[1, 1]: code 0x01 times 0x81
}

// A NaN the kernel did not produce (a NaN code decoded as a number) fails; so does a NaN where
// the reference is a number.
TEST(EveryCode, LostNaNFails) {
  EveryCodeGemm gemm;
  std::vector<float> actual(gemm.reference.begin(), gemm.reference.end());
  actual[0x7F * kRows + 3] = 480.0f; // row 0x7F: A's NaN code read as 480
  actual[5 * kRows + 5] = NAN;
  ErrorStats stats = compareToReference(actual, gemm.reference, gemm.bound);
  EXPECT_EQ(stats.failures, 2u);
}
