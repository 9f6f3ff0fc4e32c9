// SharedArtifact.cpp - an opened artifact that several sessions share.
#include "SharedArtifact.h"

#include "ArtifactReader.h"
#include "CpuCode.h"

namespace kiln::engine {

SharedArtifact::SharedArtifact() = default;
SharedArtifact::~SharedArtifact() = default;

const std::string &SharedArtifact::path() const { return reader_->path(); }

kiln_status_t SharedArtifact::open(const std::string &path,
                                   std::shared_ptr<SharedArtifact> *out) {
  std::shared_ptr<SharedArtifact> artifact(new SharedArtifact());
  if (kiln_status_t status = runtime::ArtifactReader::open(path, &artifact->reader_))
    return status;
  *out = std::move(artifact);
  return nullptr;
}

} // namespace kiln::engine
