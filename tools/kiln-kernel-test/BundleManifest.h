// BundleManifest.h - the manifest of a kernel bundle: which cubin/PTX files hold which kernels.
//
// A bundle is a directory that carries everything a GPU machine needs to check kernels:
// kiln-kernel-test, the cubin/PTX files, and manifest.txt, a line-based text file:
//
//   # comments and blank lines are ignored
//   kiln-kernel-bundle 1
//   # file               target  kernel   check    shape
//   smoke.sm_90a.cubin   sm_90a  scale    scale    1048576
//   smoke.sm_89.ptx      sm_89   row_dot  row_dot  2048x1024
//
// file: a .cubin or .ptx file relative to the manifest; target: sm_XY or sm_XYa; kernel: the
// symbol in the module; check: the numerics check that knows the kernel's arguments and CPU
// reference; shape: positive integers joined by 'x', the shape the kernel was compiled for.
#ifndef KILN_TOOLS_KERNEL_TEST_BUNDLEMANIFEST_H
#define KILN_TOOLS_KERNEL_TEST_BUNDLEMANIFEST_H

#include "GpuTarget.h"
#include "kiln_runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::kerneltest {

// The manifest's file name inside a bundle directory.
constexpr const char *kManifestName = "manifest.txt";
constexpr const char *kManifestHeader = "kiln-kernel-bundle";
constexpr int kManifestVersion = 1;

struct ManifestEntry {
  int line = 0;     // 1-based, for error messages
  std::string file; // relative to the manifest's directory
  ImageKind kind = ImageKind::Cubin;
  std::string targetName;
  GpuTarget target;
  std::string kernel;
  std::string check;
  std::string shapeText;
  std::vector<int64_t> shape;
};

struct BundleManifest {
  std::string path;      // the manifest file, as given
  std::string directory; // where its files are
  std::vector<ManifestEntry> entries;
};

// Parses `text`, read from `path`. Errors are INVALID_ARGUMENT with one line:
// "PATH:LINE: what is wrong".
kiln_status_t parseBundleManifest(const std::string &path, const std::string &text,
                                  BundleManifest *manifest);

// Reads and parses a manifest file, or BUNDLE/manifest.txt when given a directory.
kiln_status_t readBundleManifest(const std::string &pathOrDirectory, BundleManifest *manifest);

// Reads a whole file; NOT_FOUND "PATH: cannot read: reason" when it cannot.
kiln_status_t readWholeFile(const std::string &path, std::string *contents);

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_BUNDLEMANIFEST_H
