// KernelCheck.cpp - the registry of checks a manifest may name.
#include "KernelCheck.h"
#include "Status.h"

#include <algorithm>

namespace kiln::kerneltest {
namespace {

const std::vector<const KernelCheck *> &allChecks() {
  static const std::vector<const KernelCheck *> checks = [] {
    std::vector<const KernelCheck *> all;
    addFP8GemmChecks(&all);
    addGroupedGemmChecks(&all);
    all.push_back(&rowDotCheck());
    all.push_back(&scaleCheck());
    return all;
  }();
  return checks;
}

} // namespace

size_t KernelCheck::rank() const {
  std::string syntax = shapeSyntax();
  return 1 + std::count(syntax.begin(), syntax.end(), 'x');
}

kiln_status_t checkShapeRules(const KernelCheck &check, const std::vector<int64_t> &shape,
                              const std::vector<ShapeRule> &rules) {
  for (const ShapeRule &rule : rules) {
    if (!rule.broken)
      continue;
    std::string text;
    for (int64_t extent : shape)
      text += (text.empty() ? "" : "x") + std::to_string(extent);
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      std::string(check.name()) + ": shape " + text + ": " + rule.text);
  }
  return nullptr;
}

const KernelCheck *findKernelCheck(const std::string &name) {
  for (const KernelCheck *check : allChecks())
    if (name == check->name())
      return check;
  return nullptr;
}

std::string kernelCheckNames() {
  std::string names;
  for (const KernelCheck *check : allChecks())
    names += (names.empty() ? "" : ", ") + std::string(check->name());
  return names;
}

} // namespace kiln::kerneltest
