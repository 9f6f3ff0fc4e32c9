// GpuTarget.cpp - target names and the driver's rules for which image runs where.
#include "GpuTarget.h"

#include <cctype>

namespace kiln::kerneltest {

bool parseGpuTarget(const std::string &text, GpuTarget *target) {
  if (text.size() < 5 || text.compare(0, 3, "sm_") != 0)
    return false;
  std::string digits = text.substr(3);
  bool archSpecific = !digits.empty() && digits.back() == 'a';
  if (archSpecific)
    digits.pop_back();
  if (digits.size() < 2 || digits.size() > 3)
    return false;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  target->major = std::stoi(digits.substr(0, digits.size() - 1));
  target->minor = digits.back() - '0';
  target->archSpecific = archSpecific;
  return target->major > 0;
}

std::string whyNotRunnable(const GpuTarget &target, ImageKind kind, int deviceMajor,
                           int deviceMinor) {
  std::string device =
      "the device is sm_" + std::to_string(deviceMajor) + std::to_string(deviceMinor);
  bool sameMajor = deviceMajor == target.major;
  bool atLeast = deviceMajor > target.major || (sameMajor && deviceMinor >= target.minor);
  if (target.archSpecific && !(sameMajor && deviceMinor == target.minor))
    return device + "; arch-specific code runs on that exact chip only";
  if (kind == ImageKind::Cubin && !(sameMajor && deviceMinor >= target.minor))
    return device + "; a cubin runs only within its major version";
  if (kind == ImageKind::Ptx && !atLeast)
    return device + "; PTX runs only on the same or a newer GPU";
  return "";
}

} // namespace kiln::kerneltest
