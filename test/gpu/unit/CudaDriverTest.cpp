// Unit tests of runtime/cuda: the dlopen loader, cuInit/device discovery and their messages.
// They need no GPU: a library name that does not exist, libm (a library without the driver's
// symbols), the CUDA toolkit's stub libcuda.so when installed, and a fake driver built beside
// the tests (FakeCudaDriver.cpp). On a machine with a GPU, the last test opens the real one.
#include "CudaDriver.h"
#include "CudaDevice.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

using namespace kiln::cuda;

namespace {

// The status's code and message, freeing it.
struct Outcome {
  kiln_status_code_t code;
  std::string message;
};
Outcome take(kiln_status_t status) {
  Outcome outcome{kiln_status_code(status), kiln_status_message(status)};
  kiln_status_free(status);
  return outcome;
}

class FakeDriver : public ::testing::Test {
protected:
  void use(const char *mode) { setenv("KILN_FAKE_CUDA", mode, 1); }
  void TearDown() override { unsetenv("KILN_FAKE_CUDA"); }
  std::unique_ptr<CudaDriver> load() {
    std::unique_ptr<CudaDriver> driver;
    Outcome outcome = take(CudaDriver::load(KILN_FAKE_CUDA_LIBRARY, &driver));
    EXPECT_EQ(outcome.code, KILN_STATUS_OK) << outcome.message;
    return driver;
  }
};

} // namespace

TEST(CudaDriver, MissingLibraryIsUnavailable) {
  std::unique_ptr<CudaDriver> driver;
  Outcome outcome = take(CudaDriver::load("libkiln-no-such-driver.so.1", &driver));
  EXPECT_EQ(outcome.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(outcome.message,
            "CUDA unavailable: libkiln-no-such-driver.so.1 not found (install the NVIDIA driver)");
  EXPECT_EQ(driver, nullptr);
}

TEST(CudaDriver, MissingPathIsUnavailable) {
  std::unique_ptr<CudaDriver> driver;
  Outcome outcome = take(CudaDriver::load("/nonexistent/libcuda.so.1", &driver));
  EXPECT_EQ(outcome.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(outcome.message,
            "CUDA unavailable: /nonexistent/libcuda.so.1 not found (install the NVIDIA driver)");
}

TEST(CudaDriver, DefaultLibraryIsTheDriversSoname) {
  EXPECT_STREQ(CudaDriver::kDefaultLibrary, "libcuda.so.1");
}

TEST(CudaDriver, FileThatIsNotALibraryIsUnavailable) {
  std::string path = ::testing::TempDir() + "kiln-not-a-library.so";
  std::ofstream(path) << "not an ELF file\n";
  std::unique_ptr<CudaDriver> driver;
  Outcome outcome = take(CudaDriver::load(path.c_str(), &driver));
  unlink(path.c_str());
  EXPECT_EQ(outcome.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(outcome.message.rfind("CUDA unavailable: cannot load " + path + ": ", 0), 0u)
      << outcome.message;
  EXPECT_NE(outcome.message.find("(reinstall the NVIDIA driver)"), std::string::npos);
  EXPECT_EQ(outcome.message.find('\n'), std::string::npos);
}

TEST(CudaDriver, LibraryWithoutDriverSymbolsIsUnavailable) {
  std::unique_ptr<CudaDriver> driver;
  Outcome outcome = take(CudaDriver::load("libm.so.6", &driver));
  EXPECT_EQ(outcome.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(outcome.message,
            "CUDA unavailable: libm.so.6 has no cuInit (update the NVIDIA driver)");
}

TEST(CudaDriver, ToolkitStubLoadsButCannotInitialize) {
  const char *candidates[] = {"/usr/local/cuda/lib64/stubs/libcuda.so",
                              "/usr/local/cuda/targets/x86_64-linux/lib/stubs/libcuda.so"};
  const char *stub = nullptr;
  for (const char *candidate : candidates)
    if (access(candidate, R_OK) == 0)
      stub = candidate;
  if (!stub)
    GTEST_SKIP() << "no CUDA toolkit stub libcuda.so here";
  std::unique_ptr<CudaDriver> driver;
  Outcome loaded = take(CudaDriver::load(stub, &driver));
  ASSERT_EQ(loaded.code, KILN_STATUS_OK) << loaded.message;
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 0, &device));
  EXPECT_EQ(opened.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(opened.message.rfind("CUDA unavailable: cuInit failed with CUDA_ERROR_STUB_LIBRARY", 0),
            0u)
      << opened.message;
  EXPECT_EQ(device, nullptr);
}

TEST_F(FakeDriver, ResolvesEverySymbolThroughGetProcAddress) {
  use("ok");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  EXPECT_TRUE(driver->resolvedWithGetProcAddress());
#define KILN_CUDA_SYMBOL(name, versionedName, cudaVersion, parameters)                             \
  EXPECT_NE(reinterpret_cast<void *>(driver->name), nullptr) << #name;
#include "CudaDriverSymbols.def"
#undef KILN_CUDA_SYMBOL
}

TEST_F(FakeDriver, FallsBackToVersionedNamesWithoutGetProcAddress) {
  use("legacy");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  EXPECT_FALSE(driver->resolvedWithGetProcAddress());
  // The versioned export, not an older ABI of the same name.
  void *handle = dlopen(KILN_FAKE_CUDA_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(reinterpret_cast<void *>(driver->cuMemAlloc), dlsym(handle, "cuMemAlloc_v2"));
  EXPECT_EQ(reinterpret_cast<void *>(driver->cuDevicePrimaryCtxRelease),
            dlsym(handle, "cuDevicePrimaryCtxRelease_v2"));
  dlclose(handle);
}

TEST_F(FakeDriver, OpensTheDevice) {
  use("ok");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 0, &device));
  ASSERT_EQ(opened.code, KILN_STATUS_OK) << opened.message;
  EXPECT_EQ(device->name(), "Kiln Fake GPU");
  EXPECT_EQ(device->computeMajor(), 9);
  EXPECT_EQ(device->computeMinor(), 0);
  EXPECT_EQ(device->summary(),
            "Kiln Fake GPU (device 0, sm_90, 132 SMs, 80.0 GiB, driver CUDA 12.4)");
}

TEST_F(FakeDriver, NoDeviceIsUnavailable) {
  use("no-device");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 0, &device));
  EXPECT_EQ(opened.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(opened.message,
            "CUDA unavailable: cuInit failed with CUDA_ERROR_NO_DEVICE (no CUDA-capable device is "
            "detected) (check the GPU and the NVIDIA driver with nvidia-smi)");
}

TEST_F(FakeDriver, ZeroDevicesIsUnavailable) {
  use("zero-devices");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 0, &device));
  EXPECT_EQ(opened.code, KILN_STATUS_UNAVAILABLE);
  EXPECT_EQ(opened.message, "CUDA unavailable: the NVIDIA driver reports no CUDA devices (check "
                            "the GPU with nvidia-smi)");
}

TEST_F(FakeDriver, OrdinalPastTheLastDeviceIsInvalid) {
  use("ok");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 3, &device));
  EXPECT_EQ(opened.code, KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(opened.message, "CUDA device 3 requested, but there is 1 device");
}

TEST_F(FakeDriver, DriverErrorsCarryTheirNames) {
  use("ok");
  std::unique_ptr<CudaDriver> driver = load();
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->check(CUDA_SUCCESS, "cuMemAlloc"), nullptr);
  Outcome named = take(driver->check(801, "model.kiln: cuModuleLoadData"));
  EXPECT_EQ(named.code, KILN_STATUS_INTERNAL);
  EXPECT_EQ(named.message,
            "model.kiln: cuModuleLoadData: CUDA_ERROR_NOT_SUPPORTED (operation not supported)");
  // The driver cannot name it: Kiln's own table, then the number.
  Outcome oom = take(driver->check(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc(64 bytes)"));
  EXPECT_EQ(oom.code, KILN_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(oom.message, "cuMemAlloc(64 bytes): CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_EQ(driver->describe(12345), "CUDA error 12345");
}

// Only where the NVIDIA driver is installed (the GPU machine): the real thing opens.
TEST(CudaDriver, RealDriverWhenPresent) {
  std::unique_ptr<CudaDriver> driver;
  Outcome loaded = take(CudaDriver::load(CudaDriver::kDefaultLibrary, &driver));
  if (loaded.code == KILN_STATUS_UNAVAILABLE)
    GTEST_SKIP() << loaded.message;
  ASSERT_EQ(loaded.code, KILN_STATUS_OK) << loaded.message;
  std::unique_ptr<CudaDevice> device;
  Outcome opened = take(CudaDevice::open(*driver, 0, &device));
  if (opened.code == KILN_STATUS_UNAVAILABLE)
    GTEST_SKIP() << opened.message;
  ASSERT_EQ(opened.code, KILN_STATUS_OK) << opened.message;
  EXPECT_FALSE(device->name().empty());
  EXPECT_GE(device->computeMajor(), 5);
  if (device->driverVersion() >= 12000) {
    EXPECT_TRUE(driver->resolvedWithGetProcAddress());
  }
  std::printf("real driver: %s\n", device->summary().c_str());
}
