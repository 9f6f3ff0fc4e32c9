// Unit tests of kiln-kernel-test's target rules (which image runs on which GPU) and of its
// error statistics.
#include "GpuTarget.h"
#include "ErrorStats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace kiln::kerneltest;

TEST(GpuTarget, Parses) {
  GpuTarget target;
  ASSERT_TRUE(parseGpuTarget("sm_90a", &target));
  EXPECT_EQ(target.major, 9);
  EXPECT_EQ(target.minor, 0);
  EXPECT_TRUE(target.archSpecific);
  ASSERT_TRUE(parseGpuTarget("sm_89", &target));
  EXPECT_EQ(target.major, 8);
  EXPECT_EQ(target.minor, 9);
  EXPECT_FALSE(target.archSpecific);
  ASSERT_TRUE(parseGpuTarget("sm_100a", &target));
  EXPECT_EQ(target.major, 10);
  for (const char *bad : {"", "sm_", "sm_9", "sm90", "compute_90", "sm_9a0", "sm_1000", "sm_05"})
    EXPECT_FALSE(parseGpuTarget(bad, &target)) << bad;
}

TEST(GpuTarget, WhichImageRunsWhere) {
  GpuTarget sm90a, sm89, sm80;
  ASSERT_TRUE(parseGpuTarget("sm_90a", &sm90a));
  ASSERT_TRUE(parseGpuTarget("sm_89", &sm89));
  ASSERT_TRUE(parseGpuTarget("sm_80", &sm80));
  // An H100 (sm_90) runs all of them, PTX through the driver's JIT.
  EXPECT_EQ(whyNotRunnable(sm90a, ImageKind::Cubin, 9, 0), "");
  EXPECT_EQ(whyNotRunnable(sm89, ImageKind::Ptx, 9, 0), "");
  EXPECT_EQ(whyNotRunnable(sm80, ImageKind::Ptx, 9, 0), "");
  // But not an sm_80 cubin: cubins stay within their major version.
  EXPECT_EQ(whyNotRunnable(sm80, ImageKind::Cubin, 9, 0),
            "the device is sm_90; a cubin runs only within its major version");
  EXPECT_EQ(whyNotRunnable(sm80, ImageKind::Cubin, 8, 6), "");
  // sm_90a code needs exactly sm_90, as cubin or PTX.
  EXPECT_EQ(whyNotRunnable(sm90a, ImageKind::Ptx, 10, 0),
            "the device is sm_100; arch-specific code runs on that exact chip only");
  EXPECT_EQ(whyNotRunnable(sm90a, ImageKind::Cubin, 8, 9),
            "the device is sm_89; arch-specific code runs on that exact chip only");
  // PTX never runs on an older GPU.
  EXPECT_EQ(whyNotRunnable(sm89, ImageKind::Ptx, 8, 6),
            "the device is sm_86; PTX runs only on the same or a newer GPU");
}

TEST(ErrorStats, BoundsAndRelativeError) {
  ErrorStats exact = compareToReference({1.0f, -2.0f}, {1.0, -2.0}, {0.0, 0.0});
  EXPECT_EQ(exact.failures, 0u);
  EXPECT_EQ(exact.maxAbsError, 0.0);

  ErrorStats off = compareToReference({1.0f, -2.5f, 4.0f}, {1.0, -2.0, 4.0}, {0.1, 0.1, 0.1});
  EXPECT_EQ(off.failures, 1u);
  EXPECT_EQ(off.firstFailure, 1u);
  EXPECT_DOUBLE_EQ(off.maxAbsError, 0.5);
  EXPECT_DOUBLE_EQ(off.maxRelError, 0.5 / 4.0); // against the largest reference

  ErrorStats nan = compareToReference({std::nanf("")}, {1.0}, {1e30});
  EXPECT_EQ(nan.failures, 1u);
  EXPECT_TRUE(std::isinf(nan.maxAbsError));
}
