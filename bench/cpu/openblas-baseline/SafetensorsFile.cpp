// SafetensorsFile.cpp - 8-byte little-endian header length, a JSON header, then the data.
#include "SafetensorsFile.h"

#include "BaselineError.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::baseline {

using nlohmann::json;

size_t dtypeBytes(const std::string &dtype) {
  if (dtype == "F32" || dtype == "I32" || dtype == "U32")
    return 4;
  if (dtype == "BF16" || dtype == "F16" || dtype == "I16" || dtype == "U16")
    return 2;
  if (dtype == "F64" || dtype == "I64" || dtype == "U64")
    return 8;
  if (dtype == "F8_E4M3" || dtype == "F8_E5M2" || dtype == "F8_E8M0" || dtype == "I8" ||
      dtype == "U8" || dtype == "BOOL")
    return 1;
  return 0;
}

SafetensorsFile::SafetensorsFile(std::string path) : path_(std::move(path)) {
  map();
  readHeader();
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_)
    ::munmap(const_cast<uint8_t *>(mapping_), size_);
}

void SafetensorsFile::map() {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw BaselineError{path_ + ": cannot open: " + std::strerror(errno)};
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size < 8) {
    ::close(fd);
    throw BaselineError{path_ + ": too short to be a safetensors file"};
  }
  size_ = static_cast<size_t>(st.st_size);
  void *p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED)
    throw BaselineError{path_ + ": cannot map: " + std::strerror(errno)};
  mapping_ = static_cast<const uint8_t *>(p);
}

void SafetensorsFile::readHeader() {
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i)
    headerLen = headerLen << 8 | mapping_[i];
  if (headerLen > size_ - 8)
    throw BaselineError{path_ + ": header length " + std::to_string(headerLen) +
                        " runs past the end of the file"};
  const char *text = reinterpret_cast<const char *>(mapping_ + 8);
  json header = json::parse(text, text + headerLen, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    throw BaselineError{path_ + ": header is not a JSON object"};
  const uint8_t *data = mapping_ + 8 + headerLen;
  const size_t dataSize = size_ - 8 - headerLen;
  for (const auto &[name, entry] : header.items()) {
    if (name == "__metadata__")
      continue;
    auto bad = [&](const std::string &problem) {
      return BaselineError{path_ + ": tensor '" + name + "' " + problem};
    };
    if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() ||
        !entry.contains("shape") || !entry["shape"].is_array() ||
        !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2)
      throw bad("needs dtype, shape and data_offsets");
    TensorView view;
    view.dtype = entry["dtype"].get<std::string>();
    uint64_t elements = 1;
    for (const json &d : entry["shape"]) {
      if (!d.is_number_unsigned())
        throw bad("has a shape that is not a list of sizes");
      view.shape.push_back(d.get<int64_t>());
      elements *= d.get<uint64_t>();
    }
    const json &offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw bad("has data_offsets that are not sizes");
    uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end || end > dataSize)
      throw bad("has data_offsets outside the file's data");
    size_t width = dtypeBytes(view.dtype);
    if (width != 0 && end - begin != elements * width)
      throw bad("holds " + std::to_string(end - begin) + " bytes, its dtype and shape need " +
                std::to_string(elements * width));
    view.data = data + begin;
    view.bytes = end - begin;
    view.file = &path_;
    tensors_.emplace(name, std::move(view));
  }
}

} // namespace kiln::baseline
