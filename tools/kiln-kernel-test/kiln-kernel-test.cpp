// kiln-kernel-test - runs the numerics checks of a kernel bundle on a GPU.
//
//   kiln-kernel-test BUNDLE [--skip-without-gpu] [--seed N] [--iterations N] [--device I]
//                    [--timeout SECONDS] [--dump-dir DIR] [--only REGEX]
//
// BUNDLE is a directory holding manifest.txt (see BundleManifest.h) and the cubin/PTX files it
// names, or the manifest file itself. Each kernel runs once on fresh random inputs and is
// compared with a float64 CPU reference, then timed with CUDA events; a table shows the result.
// Exit status: 0 when every check that can run on this GPU passes; 1 for a failed check, a bad
// bundle or no usable GPU. A launch that outlives --timeout is a hang: the table so far is
// printed and the run stops there with status 1 (the GPU would run nothing else). With
// --skip-without-gpu, no GPU prints one line saying why and exits 0 (what scripts/gpu-check
// does on a development machine). --only runs the entries whose kernel or check name the
// regular expression matches: a GPU session short of time runs what it must decide first.
//
// Runtime-only: no MLIR or LLVM; libcuda.so.1 is loaded with dlopen (runtime/cuda/).
#include "BundleManifest.h"
#include "CudaDevice.h"
#include "CudaDriver.h"
#include "CudaModule.h"
#include "KernelCheck.h"
#include "ResultTable.h"
#include "Status.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <regex>

using namespace kiln;
using namespace kiln::kerneltest;

namespace {

struct Options {
  std::string bundle;
  bool skipWithoutGpu = false;
  uint64_t seed = 0;
  bool seedGiven = false;
  int iterations = 20;
  int device = 0;
  double timeoutSeconds = 60;
  std::string dumpDirectory;
  std::string only; // ECMAScript regular expression over kernel and check names; "" = all
  std::string cudaLibrary = cuda::CudaDriver::kDefaultLibrary;
};

// A cubin or PTX file, read before CUDA is touched, and its module once loaded.
struct Image {
  std::string bytes; // PTX gets a NUL appended: cuModuleLoadData reads it as a C string
  std::unique_ptr<cuda::CudaModule> module;
  std::string loadError; // set when loading failed, so each entry of the file reports it
  bool tried = false;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "kiln-kernel-test: error: %s\n", message.c_str());
  return 1;
}

// Checks every entry against the known checks and reads every file before CUDA is loaded, so
// a broken bundle is reported on any machine, GPU or not.
kiln_status_t validateBundle(const BundleManifest &manifest, std::map<std::string, Image> *images) {
  for (const ManifestEntry &entry : manifest.entries) {
    std::string where = manifest.path + ":" + std::to_string(entry.line) + ": ";
    const KernelCheck *check = findKernelCheck(entry.check);
    if (!check)
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT, where + "unknown check '" + entry.check +
                                                          "' (known: " + kernelCheckNames() + ")");
    if (entry.shape.size() != check->rank())
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                        where + "check '" + entry.check + "' takes a shape " +
                            check->shapeSyntax() + ", got '" + entry.shapeText + "'");
    if (images->count(entry.file))
      continue;
    Image image;
    if (kiln_status_t status = readWholeFile(manifest.directory + "/" + entry.file, &image.bytes)) {
      Status owned(status);
      return makeStatus(kiln_status_code(status), where + kiln_status_message(status));
    }
    if (entry.kind == ImageKind::Ptx)
      image.bytes.push_back('\0');
    (*images)[entry.file] = std::move(image);
  }
  return nullptr;
}

// Keeps the entries whose kernel or check name `pattern` matches (anywhere in the name).
kiln_status_t selectEntries(const std::string &pattern, BundleManifest *manifest) {
  std::regex only;
  try {
    only = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error &error) {
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "--only '" + pattern + "' is not a regular expression: " + error.what());
  }
  const size_t total = manifest->entries.size();
  std::vector<ManifestEntry> kept;
  for (ManifestEntry &entry : manifest->entries)
    if (std::regex_search(entry.kernel, only) || std::regex_search(entry.check, only))
      kept.push_back(std::move(entry));
  if (kept.empty())
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      "--only '" + pattern + "' matches no kernel or check of the " +
                          std::to_string(total) + " entries in " + manifest->path);
  manifest->entries = std::move(kept);
  return nullptr;
}

// Loads the module of `entry` once per file and finds its kernel.
kiln_status_t findKernel(const cuda::CudaDriver &driver, const BundleManifest &manifest,
                         const ManifestEntry &entry, Image &image, cuda::CUfunction *function) {
  if (!image.tried) {
    image.tried = true;
    if (kiln_status_t status = cuda::CudaModule::load(
            driver, image.bytes.data(), manifest.directory + "/" + entry.file, &image.module)) {
      Status owned(status);
      image.loadError = kiln_status_message(status);
    }
  }
  if (!image.module)
    return makeStatus(KILN_STATUS_INTERNAL, image.loadError);
  return image.module->function(entry.kernel, function);
}

int runChecks(const Options &options) {
  // Declared first so they are destroyed last: modules unload through the driver, and the
  // device releases its context through it.
  std::unique_ptr<cuda::CudaDriver> driver;
  std::unique_ptr<cuda::CudaDevice> device;
  BundleManifest manifest;
  std::map<std::string, Image> images;
  if (Status status{readBundleManifest(options.bundle, &manifest)})
    return fail(kiln_status_message(status.get()));
  if (Status status{validateBundle(manifest, &images)})
    return fail(kiln_status_message(status.get()));
  if (!options.only.empty())
    if (Status status{selectEntries(options.only, &manifest)})
      return fail(kiln_status_message(status.get()));
  const size_t count = manifest.entries.size();

  Status status{cuda::CudaDriver::load(options.cudaLibrary.c_str(), &driver)};
  if (!status)
    status.reset(cuda::CudaDevice::open(*driver, options.device, &device));
  if (status) {
    std::string message = kiln_status_message(status.get());
    if (kiln_status_code(status.get()) != KILN_STATUS_UNAVAILABLE)
      return fail(message);
    if (options.skipWithoutGpu) {
      std::printf("kiln-kernel-test: no GPU, skipped %zu kernel checks: %s\n", count,
                  message.c_str());
      return 0;
    }
    return fail(message + "; pass --skip-without-gpu to skip");
  }

  uint64_t seed = options.seedGiven ? options.seed : std::random_device{}();
  std::mt19937_64 random(seed);
  std::printf("kiln-kernel-test: %s\n", device->summary().c_str());
  std::printf("kiln-kernel-test: %zu checks from %s, seed %llu (rerun with --seed %llu), "
              "time = mean of %d launches\n\n",
              count, manifest.path.c_str(), static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed), options.iterations);

  ResultTable table;
  size_t passed = 0, failed = 0, errors = 0, skipped = 0;
  for (const ManifestEntry &entry : manifest.entries) {
    TableRow row;
    row.kernel = entry.kernel;
    row.target = entry.targetName + (entry.kind == ImageKind::Ptx ? " ptx" : " cubin");
    row.shape = entry.shapeText;
    std::string why =
        whyNotRunnable(entry.target, entry.kind, device->computeMajor(), device->computeMinor());
    if (!why.empty()) {
      row.result = "skip";
      row.note = entry.file + ": " + why;
      ++skipped;
      table.add(std::move(row));
      continue;
    }
    cuda::CUfunction function = nullptr;
    CheckResult result;
    Status error{findKernel(*driver, manifest, entry, images[entry.file], &function)};
    bool hung = false;
    if (!error) {
      KernelLauncher launcher(*driver, options.timeoutSeconds);
      CheckInput input;
      input.function = function;
      input.shape = entry.shape;
      input.random = &random;
      input.iterations = options.iterations;
      input.multiprocessors = device->multiprocessorCount();
      input.dumpDirectory = options.dumpDirectory;
      input.label = entry.file + "." + entry.kernel;
      error.reset(findKernelCheck(entry.check)->run(launcher, input, &result));
      hung = launcher.hung();
    }
    if (hung) {
      // The GPU is stuck in (or still running) the kernel: every later check would queue
      // behind it, and releasing the context could block. Report what ran and exit.
      row.result = "HANG";
      row.note = entry.file + ": " + kiln_status_message(error.get());
      table.add(std::move(row));
      table.print(stdout);
      size_t done = passed + failed + errors + skipped + 1;
      std::printf("\nkiln-kernel-test: stopped after a hang in %s (%s): %zu checks: %zu passed, "
                  "%zu failed, %zu errors, %zu skipped, 1 hung, %zu not run\n",
                  entry.kernel.c_str(), entry.shapeText.c_str(), count, passed, failed, errors,
                  skipped, count - done);
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(1);
    }
    if (error) {
      row.result = "ERROR";
      row.note = kiln_status_message(error.get());
      ++errors;
    } else {
      row.measured = true;
      row.maxAbsError = result.maxAbsError;
      row.maxRelError = result.maxRelError;
      row.microseconds = result.microseconds;
      row.flops = result.flops;
      row.result = result.passed ? "pass" : "FAIL";
      row.note = result.passed ? "" : entry.file + ": " + result.failure;
      ++(result.passed ? passed : failed);
    }
    table.add(std::move(row));
  }
  table.print(stdout);
  std::printf("\nkiln-kernel-test: %zu checks: %zu passed, %zu failed, %zu errors, %zu skipped "
              "(not for this GPU)\n",
              count, passed, failed, errors, skipped);
  if (passed == 0 && failed == 0 && errors == 0)
    return fail("no kernel in the bundle runs on this GPU");
  return failed == 0 && errors == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  CLI::App app{"kiln-kernel-test: runs the numerics checks of a kernel bundle (manifest.txt plus "
               "cubin/PTX files) on a GPU against float64 CPU references"};
  app.add_option("bundle", options.bundle,
                 "bundle directory holding manifest.txt, or a manifest file")
      ->required();
  app.add_flag("--skip-without-gpu", options.skipWithoutGpu,
               "without a usable GPU, say why and exit 0 instead of 1");
  app.add_option("--seed", options.seed,
                 "seed of the random inputs (default: a fresh one, printed)");
  app.add_option("--iterations", options.iterations, "timed launches per kernel")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--device", options.device, "CUDA device ordinal")->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", options.timeoutSeconds,
                 "seconds one launch (or one timed batch) may take before the kernel counts as "
                 "hung and the run stops (default 60)")
      ->check(CLI::Range(0.001, 86400.0));
  app.add_option("--dump-dir", options.dumpDirectory,
                 "write each check's inputs and output there (checks that support it, small "
                 "shapes), for debugging a failure off the GPU machine");
  app.add_option("--only", options.only,
                 "run only the entries whose kernel or check name this regular expression "
                 "matches (e.g. 'swap|multicast')");
  app.add_option("--cuda-library", options.cudaLibrary,
                 "the CUDA driver library to dlopen (default libcuda.so.1)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &error) {
    // --help exits 0; a bad command line exits 1, like every other bad input.
    return app.exit(error) == 0 ? 0 : 1;
  }
  options.seedGiven = app.count("--seed") > 0;
  return runChecks(options);
}
