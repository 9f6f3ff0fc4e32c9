// Unit tests of the exact e4m3 decoding the FP8 GEMM check's float64 reference uses.
#include "E4M3.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln::kerneltest;

TEST(E4M3, KnownCodes) {
  EXPECT_EQ(decodeE4M3(0x00), 0.0);
  EXPECT_TRUE(std::signbit(decodeE4M3(0x80)));
  EXPECT_EQ(decodeE4M3(0x01), std::ldexp(1.0, -9)); // smallest subnormal
  EXPECT_EQ(decodeE4M3(0x07), 7 * std::ldexp(1.0, -9)); // largest subnormal
  EXPECT_EQ(decodeE4M3(0x08), std::ldexp(1.0, -6)); // smallest normal
  EXPECT_EQ(decodeE4M3(0x38), 1.0);
  EXPECT_EQ(decodeE4M3(0x39), 1.125);
  EXPECT_EQ(decodeE4M3(0x40), 2.0);
  EXPECT_EQ(decodeE4M3(0x7E), 448.0); // largest finite
  EXPECT_EQ(decodeE4M3(0xFE), -448.0);
  EXPECT_EQ(decodeE4M3(0xB8), -1.0);
  EXPECT_TRUE(std::isnan(decodeE4M3(0x7F)));
  EXPECT_TRUE(std::isnan(decodeE4M3(0xFF)));
  EXPECT_FALSE(std::isnan(decodeE4M3(0x77))); // 0.1110.111 = 240: S.1111.111 alone is NaN
  EXPECT_EQ(decodeE4M3(0x77), 240.0);
  EXPECT_EQ(decodeE4M3(0x78), 256.0);
}

// The positive codes 0x00..0x7E increase strictly, each step one unit in the last place of the
// smaller value (2^-9 through the subnormals and the first binade), and negating flips bit 7.
TEST(E4M3, OrderedAndSymmetric) {
  for (int code = 1; code < 0x7F; ++code) {
    double below = decodeE4M3(static_cast<uint8_t>(code - 1));
    double value = decodeE4M3(static_cast<uint8_t>(code));
    int exponent = std::max(((code - 1) >> 3) & 0xF, 1);
    EXPECT_EQ(value - below, std::ldexp(1.0, exponent - 10)) << code;
    EXPECT_EQ(decodeE4M3(static_cast<uint8_t>(code | 0x80)), -value) << code;
  }
}
