// E4M3.h - exact decoding of FP8 e4m3 (MLIR's f8E4M3FN, PyTorch's float8_e4m3fn) for the
// float64 references: 1 sign bit, 4 exponent bits with bias 7, 3 mantissa bits; exponent 0 is
// subnormal (m/8 * 2^-6); no infinities; S.1111.111 (0x7F, 0xFF) is NaN; the largest finite
// value is 448 (0x7E).
#ifndef KILN_TOOLS_KERNEL_TEST_E4M3_H
#define KILN_TOOLS_KERNEL_TEST_E4M3_H

#include <cmath>
#include <cstdint>
#include <limits>

namespace kiln::kerneltest {

inline bool isE4M3NaN(uint8_t code) { return (code & 0x7F) == 0x7F; }

// The exact value of `code` (every e4m3 value is a double, and a float).
inline double decodeE4M3(uint8_t code) {
  if (isE4M3NaN(code))
    return std::numeric_limits<double>::quiet_NaN();
  const double sign = (code & 0x80) ? -1.0 : 1.0;
  const int exponent = (code >> 3) & 0xF;
  const int mantissa = code & 0x7;
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -9);              // m/8 * 2^(1-7)
  return sign * std::ldexp(8 + mantissa, exponent - 10); // (1 + m/8) * 2^(e-7)
}

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_E4M3_H
