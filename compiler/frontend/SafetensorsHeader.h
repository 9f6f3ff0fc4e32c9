//===- SafetensorsHeader.h - read one safetensors header, never its data -------===//
//
// Accepts and rejects exactly what the `safetensors` library does (a differential test on a
// bad-input corpus holds it to that): an 8-byte little-endian header length at most 100 MB,
// a UTF-8 JSON object header mapping names to {dtype, shape, data_offsets} plus an optional
// `__metadata__` string map, offsets that tile the data region from 0 without gaps or overlaps,
// each tensor's byte length equal to its element count times its dtype size, and a data region
// that ends exactly at the end of the file.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_SAFETENSORSHEADER_H
#define KILN_COMPILER_FRONTEND_SAFETENSORSHEADER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::frontend {

/// safetensors dtypes, by their header spelling (the library's full list as of 0.8).
enum class Dtype { BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ,
                   F8_E5M2FNUZ, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64 };

/// "F8_E4M3" for Dtype::F8_E4M3, and so on.
llvm::StringRef dtypeName(Dtype dtype);
std::optional<Dtype> parseDtype(llvm::StringRef name);
/// Bits per element (4 for F4, 6 for the F6 types).
int64_t dtypeBits(Dtype dtype);

struct TensorInfo {
  std::string name;
  Dtype dtype;
  std::vector<int64_t> shape;
  /// Absolute byte offset of the data in the file, and its length.
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct SafetensorsHeader {
  /// The JSON header's length (the first 8 bytes of the file).
  uint64_t headerLength = 0;
  uint64_t fileSize = 0;
  /// In data-offset order.
  std::vector<TensorInfo> tensors;
};

/// Reads the header of the safetensors file at `path` with two preads (length, then header),
/// never touching tensor data. Errors read "<displayName>: <problem>".
llvm::Expected<SafetensorsHeader> readSafetensorsHeader(llvm::StringRef path,
                                                        llvm::StringRef displayName);

/// Parses a header already in memory: `header` is the JSON text, `fileSize` the whole file's
/// size (the data region must end there).
llvm::Expected<SafetensorsHeader> parseSafetensorsHeader(llvm::StringRef header,
                                                         uint64_t fileSize,
                                                         llvm::StringRef displayName);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_SAFETENSORSHEADER_H
