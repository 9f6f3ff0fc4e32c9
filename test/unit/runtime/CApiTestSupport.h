// CApiTestSupport.h - what the C API tests share: the tiny artifact opened into a session,
// statuses as "CODE: message" text, logits and their reference comparison.
#ifndef KILN_TEST_UNIT_RUNTIME_CAPITESTSUPPORT_H
#define KILN_TEST_UNIT_RUNTIME_CAPITESTSUPPORT_H

#include "kiln_runtime.h"

#include "LogitsNear.h"
#include "Sampler.h"
#include "TestArtifact.h"
#include "TestModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kiln::capitest {

inline constexpr uint32_t kVocab = KILN_TEST_VOCAB;
inline constexpr uint32_t kMaxSeqLen = KILN_TEST_BLOCK_SIZE * KILN_TEST_BLOCKS_PER_SEQ;

/// "CODE: message" of a status, freed; "OK" for NULL.
inline std::string take(kiln_status_t status) {
  std::string text = std::string(kiln_status_code_name(kiln_status_code(status)));
  if (status)
    text += std::string(": ") + kiln_status_message(status);
  kiln_status_free(status);
  return text;
}

#define EXPECT_OK(call) EXPECT_EQ(take(call), "OK")
#define ASSERT_OK(call) ASSERT_EQ(take(call), "OK")

inline std::vector<float> lastLogits(kiln_session_t session, uint32_t *rowsOut = nullptr) {
  const float *data = nullptr;
  uint32_t rows = 0, vocab = 0;
  EXPECT_OK(kiln_logits(session, &data, &rows, &vocab));
  EXPECT_EQ(vocab, kVocab);
  if (rowsOut)
    *rowsOut = rows;
  return data ? std::vector<float>(data, data + size_t{rows} * vocab) : std::vector<float>();
}

using test::expectLogitsNear;

inline int32_t argmax(const float *row) {
  return static_cast<int32_t>(std::max_element(row, row + kVocab) - row);
}

class CApiTest : public ::testing::Test {
protected:
  void TearDown() override {
    kiln_session_destroy(session);
    kiln_artifact_close(artifact);
  }
  std::string write(const test::ArtifactDesc &desc, const std::string &name = "model.kiln") {
    std::string path = dir.file(name);
    EXPECT_EQ(test::writeArtifact(desc, path), "");
    return path;
  }
  /// Opens the tiny model into `artifact` and a two-thread session into `session`.
  void openTiny(uint32_t numBlocks = 16) {
    path = write(test::tinyModel(KILN_TEST_KERNELS, numBlocks));
    ASSERT_OK(kiln_artifact_open(path.c_str(), &artifact));
    kiln_session_options_t options;
    kiln_session_options_init(&options);
    options.threads = 2;
    ASSERT_OK(kiln_session_create(artifact, &options, &session));
  }
  /// "PATH: " stripped from a status' message.
  std::string problem(kiln_status_t status) {
    std::string text = take(status);
    size_t at = text.find(path + ": ");
    return at == std::string::npos ? text : text.erase(at, path.size() + 2);
  }

  test::TempDir dir;
  std::string path;
  kiln_artifact_t artifact = nullptr;
  kiln_session_t session = nullptr;
};

} // namespace kiln::capitest

#endif // KILN_TEST_UNIT_RUNTIME_CAPITESTSUPPORT_H
