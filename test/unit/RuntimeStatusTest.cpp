// Unit tests of the runtime's C API status values.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

TEST(RuntimeStatus, OkIsNull) {
  EXPECT_EQ(kiln_status_make(KILN_STATUS_OK, "ignored"), nullptr);
  EXPECT_EQ(kiln_status_code(nullptr), KILN_STATUS_OK);
  EXPECT_STREQ(kiln_status_message(nullptr), "");
  kiln_status_free(nullptr);
}

TEST(RuntimeStatus, CarriesCodeAndMessage) {
  kiln_status_t status =
      kiln_status_make(KILN_STATUS_DATA_LOSS, "model.kiln: section 3 hash mismatch");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_DATA_LOSS);
  EXPECT_STREQ(kiln_status_message(status), "model.kiln: section 3 hash mismatch");
  kiln_status_free(status);
}

TEST(RuntimeStatus, NullMessageIsEmpty) {
  kiln_status_t status = kiln_status_make(KILN_STATUS_INTERNAL, nullptr);
  EXPECT_STREQ(kiln_status_message(status), "");
  kiln_status_free(status);
}

TEST(RuntimeStatus, CodeNames) {
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_OK), "OK");
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_UNAVAILABLE), "UNAVAILABLE");
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(kiln_status_code_name(static_cast<kiln_status_code_t>(99)), "UNKNOWN");
}

TEST(RuntimeVersion, MatchesProject) {
  kiln_version_t version = kiln_runtime_version();
  EXPECT_EQ(version.major, 0);
  EXPECT_EQ(version.minor, 1);
  EXPECT_EQ(version.artifact_major, 0);
  EXPECT_EQ(version.artifact_minor, 2);
}
