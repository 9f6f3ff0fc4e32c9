// ArtifactReader.h - open a .kiln artifact: mmap, verify, look up sections.
//
// Opening checks what is cheap and must hold before anything else is read: the preamble's
// magic and format version, the header's place in the file and its hash, flatbuffers
// verification, the required features, that every section lies inside the file at a 4 KiB
// aligned offset, and that the code targets are well formed: every weight, section, kernel and
// KV layer index in range, every launch passing its kernel's number of arguments, every
// argument's size inside what it points at (arena, section, input, KV pool, block table), plan
// names unique per target and rank. A device may use those indices without checking them
// again. Section contents are hashed when first used (verifySection), so opening a
// 700 GB artifact costs a header read, not a pass over the weights.
#ifndef KILN_RUNTIME_ARTIFACT_ARTIFACTREADER_H
#define KILN_RUNTIME_ARTIFACT_ARTIFACTREADER_H

#include "kiln_runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kiln::artifact {
struct Artifact;
} // namespace kiln::artifact

namespace kiln::runtime {

class ArtifactReader {
public:
  /// Opens and verifies `path`. On failure returns a status whose message names the file.
  static kiln_status_t open(const std::string &path, std::unique_ptr<ArtifactReader> *out);
  ~ArtifactReader();
  ArtifactReader(const ArtifactReader &) = delete;
  ArtifactReader &operator=(const ArtifactReader &) = delete;

  const kiln::artifact::Artifact &header() const { return *header_; }
  const std::string &path() const { return path_; }
  uint64_t fileSize() const { return size_; }
  uint32_t formatMajor() const { return major_; }
  uint32_t formatMinor() const { return minor_; }

  /// The bytes of section `index` (not yet hash-checked).
  std::string_view sectionBytes(uint32_t index) const;
  /// Hashes section `index` and compares with the header.
  kiln_status_t verifySection(uint32_t index) const;
  /// Index of the section named `name` (rank 0), or -1.
  int64_t findSection(std::string_view name) const;

private:
  ArtifactReader() = default;
  std::string path_;
  const unsigned char *data_ = nullptr;
  uint64_t size_ = 0;
  uint32_t major_ = 0, minor_ = 0;
  const kiln::artifact::Artifact *header_ = nullptr;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_ARTIFACT_ARTIFACTREADER_H
