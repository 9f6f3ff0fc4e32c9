// LogitsNear.h - compares two runs' logits of the test model (TestModel.h) element by element,
// within 1e-5 of the largest expected magnitude, and names the first row and column that differ.
#ifndef KILN_TEST_UNIT_RUNTIME_LOGITSNEAR_H
#define KILN_TEST_UNIT_RUNTIME_LOGITSNEAR_H

#include "TestModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace kiln::test {

inline void expectLogitsNear(const std::vector<float> &actual, const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  float scale = 1;
  for (float value : expected)
    scale = std::max(scale, std::fabs(value));
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], 1e-5f * scale)
        << "row " << i / KILN_TEST_VOCAB << " column " << i % KILN_TEST_VOCAB;
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_RUNTIME_LOGITSNEAR_H
