// KernelCheck.cpp - the registry of checks a manifest may name.
#include "KernelCheck.h"

#include <algorithm>

namespace kiln::kerneltest {
namespace {

const KernelCheck *const *allChecks(size_t *count) {
  static const KernelCheck *const checks[] = {
      &fp8GemmCheck(),        &fp8GemmTmaCheck(),    &fp8GemmSm90Check(), &fp8GemmSm90SwapCheck(),
      &fp8GemmSm90MulticastCheck(), &fp8GemmSm90TmaStoreCheck(),
      &fp8GemmMmaCheck(),     &fp8GemmGroupedCheck(), &fp8GemmMaskedCheck(),
      &fp8GemmMmaGroupedCheck(), &fp8GemmMmaMaskedCheck(), &rowDotCheck(),
      &scaleCheck()};
  *count = sizeof checks / sizeof checks[0];
  return checks;
}

} // namespace

size_t KernelCheck::rank() const {
  std::string syntax = shapeSyntax();
  return 1 + std::count(syntax.begin(), syntax.end(), 'x');
}

const KernelCheck *findKernelCheck(const std::string &name) {
  size_t count = 0;
  const KernelCheck *const *checks = allChecks(&count);
  for (size_t i = 0; i < count; ++i)
    if (name == checks[i]->name())
      return checks[i];
  return nullptr;
}

std::string kernelCheckNames() {
  size_t count = 0;
  const KernelCheck *const *checks = allChecks(&count);
  std::string names;
  for (size_t i = 0; i < count; ++i)
    names += (i ? ", " : "") + std::string(checks[i]->name());
  return names;
}

} // namespace kiln::kerneltest
