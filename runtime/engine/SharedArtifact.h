// SharedArtifact.h - an opened artifact that several sessions share.
//
// The mapping and the verified header (ArtifactReader) are made once and never change, so any
// number of sessions, on any threads, read through one SharedArtifact. What is loaded on a
// device's first use is shared too: the CPU code (one memfd + dlopen however many sessions run
// it) and the record of which sections have been hashed (a 700 GB artifact is hashed once, not
// once per session). Those two are built under a mutex by Session::open; everything else a
// session owns alone. Sessions hold a shared_ptr, so the artifact stays mapped while any of them
// lives, whoever else drops theirs.
#ifndef KILN_RUNTIME_ENGINE_SHAREDARTIFACT_H
#define KILN_RUNTIME_ENGINE_SHAREDARTIFACT_H

#include "kiln_runtime.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::runtime {
class ArtifactReader;
} // namespace kiln::runtime

namespace kiln::cpu {
class CpuCode;
} // namespace kiln::cpu

namespace kiln::engine {

class SharedArtifact {
public:
  /// Opens and verifies `path` (ArtifactReader::open); errors name the file.
  static kiln_status_t open(const std::string &path, std::shared_ptr<SharedArtifact> *out);
  ~SharedArtifact();
  SharedArtifact(const SharedArtifact &) = delete;
  SharedArtifact &operator=(const SharedArtifact &) = delete;

  /// Immutable after open: safe to use from any thread.
  const runtime::ArtifactReader &reader() const { return *reader_; }
  const std::string &path() const;

private:
  friend class Session;
  SharedArtifact();

  std::unique_ptr<runtime::ArtifactReader> reader_;
  // Built by the first session that needs them; guarded by mutex_. The code is unloaded with
  // the artifact, after every session using it is gone.
  std::mutex mutex_;
  std::unique_ptr<cpu::CpuCode> cpuCode_;
  std::vector<bool> verified_; // one flag per section: hashed and found intact
};

} // namespace kiln::engine

#endif // KILN_RUNTIME_ENGINE_SHAREDARTIFACT_H
