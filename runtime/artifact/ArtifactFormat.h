// ArtifactFormat.h - the fixed preamble of a .kiln file, shared by writer and reader.
//
// Header-only and free of any compiler or runtime dependency, so the compiler's writer and the
// runtime's reader agree by construction.
#ifndef KILN_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
#define KILN_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H

#include <cstdint>
#include <cstring>

namespace kiln::artifact {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'A', 'R', 'T', 'F'};
inline constexpr uint32_t kFormatMajor = 0;
inline constexpr uint32_t kFormatMinor = 2;
/// Sections start at multiples of this; the preamble fills the first block.
inline constexpr uint64_t kAlignment = 4096;

struct Preamble {
  char magic[8];
  uint32_t formatMajor;
  uint32_t formatMinor;
  uint64_t headerOffset;
  uint64_t headerSize;
  uint64_t headerXxh3;
};
static_assert(sizeof(Preamble) == 40, "the preamble layout is part of the format");

inline uint64_t alignUp(uint64_t value) { return (value + kAlignment - 1) / kAlignment * kAlignment; }

/// Features this runtime knows; an artifact requiring any other is refused.
inline constexpr const char *kKnownFeatures[] = {"weights-raw-v1", "cpu-plan-v1"};

} // namespace kiln::artifact

#endif // KILN_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
