// CudaModule.cpp - cuModuleLoadData and kernel lookup.
#include "CudaModule.h"

#include <utility>

namespace kiln::cuda {

CudaModule::CudaModule(const CudaDriver &driver, CUmodule module, std::string label)
    : driver_(driver), module_(module), label_(std::move(label)) {}

CudaModule::~CudaModule() { driver_.cuModuleUnload(module_); }

kiln_status_t CudaModule::load(const CudaDriver &driver, const void *image, std::string label,
                               std::unique_ptr<CudaModule> *module) {
  module->reset();
  CUmodule loaded = nullptr;
  if (kiln_status_t status =
          driver.check(driver.cuModuleLoadData(&loaded, image), label + ": cuModuleLoadData"))
    return status;
  module->reset(new CudaModule(driver, loaded, std::move(label)));
  return nullptr;
}

kiln_status_t CudaModule::function(const std::string &name, CUfunction *function) const {
  *function = nullptr;
  if (CUresult result = driver_.cuModuleGetFunction(function, module_, name.c_str())) {
    std::string message =
        label_ + ": no kernel '" + name + "' in the module (" + driver_.describe(result) + ")";
    return kiln_status_make(KILN_STATUS_NOT_FOUND, message.c_str());
  }
  return nullptr;
}

} // namespace kiln::cuda
