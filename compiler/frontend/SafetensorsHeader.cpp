//===- SafetensorsHeader.cpp - read one safetensors header ---------------------===//

#include "compiler/frontend/SafetensorsHeader.h"

#include "compiler/frontend/ImportError.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace kiln::frontend {

// The safetensors library's limit on the header length.
static constexpr uint64_t kMaxHeaderLength = 100'000'000;

namespace {
struct DtypeInfo {
  Dtype dtype;
  const char *name;
  int64_t bits;
};
constexpr DtypeInfo kDtypes[] = {
    {Dtype::BOOL, "BOOL", 8},       {Dtype::F4, "F4", 4},
    {Dtype::F6_E2M3, "F6_E2M3", 6}, {Dtype::F6_E3M2, "F6_E3M2", 6},
    {Dtype::U8, "U8", 8},           {Dtype::I8, "I8", 8},
    {Dtype::F8_E5M2, "F8_E5M2", 8}, {Dtype::F8_E4M3, "F8_E4M3", 8},
    {Dtype::F8_E8M0, "F8_E8M0", 8}, {Dtype::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8},
    {Dtype::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8},
    {Dtype::I16, "I16", 16},        {Dtype::U16, "U16", 16},
    {Dtype::F16, "F16", 16},        {Dtype::BF16, "BF16", 16},
    {Dtype::I32, "I32", 32},        {Dtype::U32, "U32", 32},
    {Dtype::F32, "F32", 32},        {Dtype::C64, "C64", 64},
    {Dtype::F64, "F64", 64},        {Dtype::I64, "I64", 64},
    {Dtype::U64, "U64", 64},
};
const DtypeInfo &info(Dtype dtype) {
  for (const DtypeInfo &entry : kDtypes)
    if (entry.dtype == dtype)
      return entry;
  llvm_unreachable("every Dtype is in kDtypes");
}
} // namespace

StringRef dtypeName(Dtype dtype) { return info(dtype).name; }

int64_t dtypeBits(Dtype dtype) { return info(dtype).bits; }

std::optional<Dtype> parseDtype(StringRef name) {
  for (const DtypeInfo &entry : kDtypes)
    if (name == entry.name)
      return entry.dtype;
  return std::nullopt;
}

namespace {

/// A JSON integer literal that fits the library's usize: not negative, not written as a float
/// (serde rejects `1.0` for usize, and so does getAsUINT64).
std::optional<uint64_t> asSize(const json::Value &value) { return value.getAsUINT64(); }

Expected<TensorInfo> parseTensorInfo(StringRef name, const json::Value &value,
                                     StringRef file) {
  auto bad = [&](const Twine &what) {
    return importError(file, "header entry '" + name + "' " + what);
  };
  const json::Object *object = value.getAsObject();
  if (!object)
    return bad("is not an object");
  TensorInfo info;
  info.name = name.str();
  std::optional<StringRef> dtype = object->getString("dtype");
  if (!dtype)
    return bad("has no string 'dtype'");
  std::optional<Dtype> parsed = parseDtype(*dtype);
  if (!parsed)
    return bad("has unknown dtype '" + *dtype + "'");
  info.dtype = *parsed;
  const json::Array *shape = object->getArray("shape");
  if (!shape)
    return bad("has no 'shape' array");
  for (const json::Value &dim : *shape) {
    std::optional<uint64_t> size = asSize(dim);
    if (!size || *size > static_cast<uint64_t>(INT64_MAX))
      return bad("has a shape entry that is not a non-negative integer");
    info.shape.push_back(static_cast<int64_t>(*size));
  }
  const json::Array *offsets = object->getArray("data_offsets");
  if (!offsets || offsets->size() != 2)
    return bad("has no 'data_offsets' pair");
  std::optional<uint64_t> begin = asSize((*offsets)[0]);
  std::optional<uint64_t> end = asSize((*offsets)[1]);
  if (!begin || !end)
    return bad("has data_offsets that are not non-negative integers");
  info.offset = *begin;
  info.size = *end; // Made relative below, once offsets are checked.
  return info;
}

} // namespace

Expected<SafetensorsHeader> parseSafetensorsHeader(StringRef header, uint64_t fileSize,
                                                   StringRef file) {
  if (!json::isUTF8(header))
    return importError(file, "header is not valid UTF-8");
  Expected<json::Value> parsed = json::parse(header);
  if (!parsed)
    return importError(file, "header is not valid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return importError(file, "header is not a JSON object");

  SafetensorsHeader result;
  result.headerLength = header.size();
  result.fileSize = fileSize;
  for (const auto &[key, value] : *root) {
    if (key == "__metadata__") {
      const json::Object *metadata = value.getAsObject();
      if (!metadata)
        return importError(file, "header '__metadata__' is not an object of strings");
      for (const auto &[metaKey, metaValue] : *metadata)
        if (!metaValue.getAsString())
          return importError(file, "header '__metadata__' entry '" + StringRef(metaKey) +
                                       "' is not a string");
      continue;
    }
    Expected<TensorInfo> info = parseTensorInfo(key, value, file);
    if (!info)
      return info.takeError();
    result.tensors.push_back(std::move(*info));
  }

  // As the library: sort by (begin, end), then the offsets must tile [0, end) exactly.
  std::sort(result.tensors.begin(), result.tensors.end(),
            [](const TensorInfo &a, const TensorInfo &b) {
              return std::tie(a.offset, a.size) < std::tie(b.offset, b.size);
            });
  uint64_t expectedBegin = 0;
  for (TensorInfo &info : result.tensors) {
    uint64_t begin = info.offset, end = info.size;
    if (begin != expectedBegin || end < begin)
      return importError(file, formatv("tensor '{0}' has data_offsets [{1}, {2}], but the "
                                       "previous tensor ends at {3} (gap, overlap or reversed "
                                       "range)",
                                       info.name, begin, end, expectedBegin)
                                   .str());
    expectedBegin = end;
    uint64_t elements = 1;
    for (int64_t dim : info.shape)
      if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dim), &elements))
        return importError(file, "tensor '" + info.name + "' has a shape whose size overflows");
    uint64_t bits;
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dtypeBits(info.dtype)), &bits))
      return importError(file, "tensor '" + info.name + "' has a shape whose size overflows");
    if (bits % 8 != 0)
      return importError(file, "tensor '" + info.name + "' of sub-byte dtype " +
                                   dtypeName(info.dtype) + " does not end on a byte boundary");
    uint64_t bytes = bits / 8;
    if (end - begin != bytes)
      return importError(file, formatv("tensor '{0}' spans {1} bytes, but {2} [{3}] needs {4}",
                                       info.name, end - begin, dtypeName(info.dtype),
                                       llvm::join(llvm::map_range(info.shape,
                                                                  [](int64_t d) {
                                                                    return std::to_string(d);
                                                                  }),
                                                  ", "),
                                       bytes)
                                   .str());
    info.offset = 8 + header.size() + begin;
    info.size = end - begin;
  }
  uint64_t dataSize = fileSize - 8 - header.size();
  if (expectedBegin != dataSize)
    return importError(file, formatv("tensor data ends at byte {0} of the data region, but the "
                                     "file holds {1} bytes of data (truncated or padded file)",
                                     expectedBegin, dataSize)
                                 .str());
  return result;
}

Expected<SafetensorsHeader> readSafetensorsHeader(StringRef path, StringRef file) {
  std::string pathString = path.str();
  int fd = ::open(pathString.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return importError(file, Twine("cannot open: ") + std::strerror(errno));
  llvm::scope_exit closeFd([&] { ::close(fd); });
  struct stat status;
  if (::fstat(fd, &status) != 0)
    return importError(file, Twine("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(status.st_mode))
    return importError(file, "is not a regular file");
  uint64_t fileSize = static_cast<uint64_t>(status.st_size);
  if (fileSize < 8)
    return importError(file, formatv("is {0} bytes, too small for the 8-byte header length",
                                     fileSize)
                                 .str());
  unsigned char lengthBytes[8];
  if (::pread(fd, lengthBytes, 8, 0) != 8)
    return importError(file, Twine("cannot read the header length: ") + std::strerror(errno));
  uint64_t headerLength = 0;
  for (int i = 7; i >= 0; --i)
    headerLength = (headerLength << 8) | lengthBytes[i];
  if (headerLength > kMaxHeaderLength)
    return importError(file, formatv("header length {0} exceeds the safetensors limit of {1} "
                                     "bytes",
                                     headerLength, kMaxHeaderLength)
                                 .str());
  if (headerLength > fileSize - 8)
    return importError(file, formatv("header length {0} runs past the end of the file ({1} "
                                     "bytes)",
                                     headerLength, fileSize)
                                 .str());
  std::string header(headerLength, '\0');
  size_t done = 0;
  while (done < headerLength) {
    ssize_t got = ::pread(fd, header.data() + done, headerLength - done, 8 + done);
    if (got <= 0)
      return importError(file, Twine("cannot read the header: ") +
                                   (got == 0 ? "unexpected end of file" : std::strerror(errno)));
    done += static_cast<size_t>(got);
  }
  return parseSafetensorsHeader(header, fileSize, file);
}

} // namespace kiln::frontend
