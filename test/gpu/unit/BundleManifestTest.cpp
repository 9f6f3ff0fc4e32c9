// Unit tests of kiln-kernel-test's bundle manifest: what it accepts, and the one-line error,
// naming the file and line, for each way a manifest can be malformed.
#include "BundleManifest.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln::kerneltest;

namespace {

// INVALID_ARGUMENT's message for `text`, or "OK".
std::string parseError(const std::string &text) {
  BundleManifest manifest;
  kiln_status_t status = parseBundleManifest("bundle/manifest.txt", text, &manifest);
  std::string message = status ? kiln_status_message(status) : "OK";
  if (status) {
    EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  }
  kiln_status_free(status);
  return message;
}

const char *kHeader = "kiln-kernel-bundle 1\n";

} // namespace

TEST(BundleManifest, ParsesEntries) {
  BundleManifest manifest;
  kiln_status_t status =
      parseBundleManifest("out/bundle/manifest.txt",
                          "# written by scripts/gpu-check\n"
                          "\n"
                          "kiln-kernel-bundle 1   # version\n"
                          "smoke.sm_90a.cubin sm_90a scale scale 1048576\n"
                          "  smoke.sm_89.ptx\tsm_89 row_dot row_dot 2048x1024  \n",
                          &manifest);
  ASSERT_EQ(status, nullptr) << kiln_status_message(status);
  EXPECT_EQ(manifest.directory, "out/bundle");
  ASSERT_EQ(manifest.entries.size(), 2u);
  const ManifestEntry &cubin = manifest.entries[0];
  EXPECT_EQ(cubin.line, 4);
  EXPECT_EQ(cubin.file, "smoke.sm_90a.cubin");
  EXPECT_EQ(cubin.kind, ImageKind::Cubin);
  EXPECT_EQ(cubin.target.major, 9);
  EXPECT_TRUE(cubin.target.archSpecific);
  EXPECT_EQ(cubin.kernel, "scale");
  EXPECT_EQ(cubin.shape, std::vector<int64_t>{1048576});
  const ManifestEntry &ptx = manifest.entries[1];
  EXPECT_EQ(ptx.line, 5);
  EXPECT_EQ(ptx.kind, ImageKind::Ptx);
  EXPECT_EQ(ptx.target.minor, 9);
  EXPECT_EQ(ptx.check, "row_dot");
  EXPECT_EQ(ptx.shape, (std::vector<int64_t>{2048, 1024}));
}

TEST(BundleManifest, ManifestWithoutDirectoryIsRelativeToHere) {
  BundleManifest manifest;
  kiln_status_t status = parseBundleManifest(
      "manifest.txt", std::string(kHeader) + "a.ptx sm_80 k scale 4\n", &manifest);
  ASSERT_EQ(status, nullptr);
  EXPECT_EQ(manifest.directory, ".");
}

TEST(BundleManifest, RejectsMalformedManifests) {
  struct Case {
    const char *text;
    const char *error;
  } cases[] = {
      {"", "bundle/manifest.txt: empty manifest, expected the header 'kiln-kernel-bundle 1'"},
      {"# only a comment\n",
       "bundle/manifest.txt: empty manifest, expected the header 'kiln-kernel-bundle 1'"},
      {"smoke.cubin sm_90a scale scale 4\n", "bundle/manifest.txt:1: expected the header "
                                             "'kiln-kernel-bundle 1' first, got 'smoke.cubin ...'"},
      {"kiln-kernel-bundle 2\n", "bundle/manifest.txt:1: manifest version 2 is not supported (this "
                                 "kiln-kernel-test reads version 1)"},
      {"kiln-kernel-bundle 1\n", "bundle/manifest.txt: the manifest lists no kernels"},
      {"kiln-kernel-bundle 1\n\nsmoke.cubin sm_90a scale 4\n",
       "bundle/manifest.txt:3: expected 5 fields (file target kernel check shape), got 4"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a scale scale 4 extra\n",
       "bundle/manifest.txt:2: expected 5 fields (file target kernel check shape), got 6"},
      {"kiln-kernel-bundle 1\n/tmp/smoke.cubin sm_90a scale scale 4\n",
       "bundle/manifest.txt:2: file '/tmp/smoke.cubin' must be a relative path inside the bundle"},
      {"kiln-kernel-bundle 1\n../smoke.cubin sm_90a scale scale 4\n",
       "bundle/manifest.txt:2: file '../smoke.cubin' must be a relative path inside the bundle"},
      {"kiln-kernel-bundle 1\nsmoke.so sm_90a scale scale 4\n",
       "bundle/manifest.txt:2: file 'smoke.so' must end in .cubin or .ptx"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm90 scale scale 4\n",
       "bundle/manifest.txt:2: target 'sm90' is not of the form sm_XY or sm_XYa"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_9x scale scale 4\n",
       "bundle/manifest.txt:2: target 'sm_9x' is not of the form sm_XY or sm_XYa"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a 9scale scale 4\n",
       "bundle/manifest.txt:2: kernel '9scale' is not a symbol name"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a scale sc-ale 4\n",
       "bundle/manifest.txt:2: check 'sc-ale' is not a name"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a scale scale 1024xx4\n",
       "bundle/manifest.txt:2: shape '1024xx4' is not positive integers joined by 'x' (e.g. "
       "1024x512)"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a scale scale 0\n",
       "bundle/manifest.txt:2: shape '0' is not positive integers joined by 'x' (e.g. 1024x512)"},
      {"kiln-kernel-bundle 1\nsmoke.cubin sm_90a scale scale -4\n",
       "bundle/manifest.txt:2: shape '-4' is not positive integers joined by 'x' (e.g. 1024x512)"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.error) << "manifest:\n" << c.text;
}

TEST(BundleManifest, ErrorsAreOneLine) {
  EXPECT_EQ(parseError("kiln-kernel-bundle 1\na b\n").find('\n'), std::string::npos);
}

TEST(BundleManifest, ReadsManifestTxtOfADirectory) {
  std::string directory = ::testing::TempDir() + "kiln-bundle-test";
  mkdir(directory.c_str(), 0755);
  std::ofstream(directory + "/manifest.txt") << kHeader << "a.cubin sm_90a k scale 8\n";
  BundleManifest manifest;
  kiln_status_t status = readBundleManifest(directory + "/", &manifest);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  EXPECT_EQ(manifest.path, directory + "/manifest.txt");
  EXPECT_EQ(manifest.directory, directory);
  unlink((directory + "/manifest.txt").c_str());
  rmdir(directory.c_str());
}

TEST(BundleManifest, MissingManifestIsNotFound) {
  BundleManifest manifest;
  kiln_status_t status = readBundleManifest("/nonexistent/bundle/manifest.txt", &manifest);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_NOT_FOUND);
  EXPECT_STREQ(kiln_status_message(status),
               "/nonexistent/bundle/manifest.txt: cannot read: No such file or directory");
  kiln_status_free(status);
}
