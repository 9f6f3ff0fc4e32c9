// version.cpp - the runtime's version and the artifact format it reads.
#include "kiln_runtime.h"

#include "ArtifactFormat.h"
#include "kiln_runtime_version.h"

kiln_version_t kiln_runtime_version(void) {
  return kiln_version_t{KILN_VERSION_MAJOR, KILN_VERSION_MINOR, KILN_VERSION_PATCH,
                        static_cast<int32_t>(kiln::artifact::kFormatMajor),
                        static_cast<int32_t>(kiln::artifact::kFormatMinor)};
}
