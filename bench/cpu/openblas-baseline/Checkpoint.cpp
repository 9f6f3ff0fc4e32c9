// Checkpoint.cpp - find the shards, index their tensors, convert to f32 on load.
#include "Checkpoint.h"

#include "BaselineError.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>

namespace kiln::baseline {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isFile(const std::string &path) {
  std::ifstream in(path);
  return static_cast<bool>(in);
}

float bf16ToF32(uint16_t bits) {
  uint32_t wide = uint32_t{bits} << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

float f16ToF32(uint16_t h) {
  uint32_t sign = uint32_t{h & 0x8000u} << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0x1F) { // inf / nan
    bits = sign | 0x7F800000u | mantissa << 13;
  } else if (exponent != 0) {
    bits = sign | (exponent + 112) << 23 | mantissa << 13;
  } else if (mantissa == 0) {
    bits = sign;
  } else { // subnormal: normalise
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    bits = sign | uint32_t(113 - shift) << 23 | (mantissa & 0x3FF) << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// 16-bit values to f32. The mapping need not be 2-byte aligned: each is read with memcpy.
template <float (*toF32)(uint16_t)>
void convert(const uint8_t *data, size_t count, float *out) {
  for (size_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, data + 2 * i, 2);
    out[i] = toF32(bits);
  }
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

} // namespace

Checkpoint::Checkpoint(const std::string &directory) : directory_(directory) {
  config_ = readConfig(directory + "/config.json");
  for (const std::string &path : shardPaths())
    files_.push_back(std::make_unique<SafetensorsFile>(path));
  indexTensors();
}

std::vector<std::string> Checkpoint::shardPaths() const {
  const std::string index = directory_ + "/model.safetensors.index.json";
  std::set<std::string> names;
  if (isFile(index)) {
    std::ifstream in(index);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("weight_map") ||
        !doc["weight_map"].is_object())
      throw BaselineError{index + ": not an index (want an object with a weight_map object)"};
    for (const auto &[tensor, file] : doc["weight_map"].items()) {
      if (!file.is_string() || file.get<std::string>().find('/') != std::string::npos)
        throw BaselineError{index + ": weight_map['" + tensor + "'] is not a file name"};
      names.insert(file.get<std::string>());
    }
  } else if (DIR *dir = ::opendir(directory_.c_str())) {
    while (dirent *entry = ::readdir(dir))
      if (endsWith(entry->d_name, ".safetensors"))
        names.insert(entry->d_name);
    ::closedir(dir);
  } else {
    throw BaselineError{directory_ + ": cannot open the checkpoint directory"};
  }
  if (names.empty())
    throw BaselineError{directory_ + ": holds no .safetensors file"};
  std::vector<std::string> paths;
  for (const std::string &name : names)
    paths.push_back(directory_ + "/" + name);
  return paths;
}

void Checkpoint::indexTensors() {
  for (const auto &file : files_)
    for (const auto &[name, view] : file->tensors()) {
      if (view.dtype != "BF16" && view.dtype != "F16" && view.dtype != "F32")
        throw BaselineError{file->path() + ": tensor '" + name + "' is " + view.dtype +
                            ": the OpenBLAS baseline reads BF16, F16 and F32 weights only" +
                            (view.dtype.rfind("F8", 0) == 0 ? " (FP8 is not supported)" : "")};
      if (endsWith(name, "_scale_inv"))
        throw BaselineError{file->path() + ": tensor '" + name + "' is an FP8 block scale: FP8 "
                            "checkpoints are not supported by the OpenBLAS baseline"};
      if (!tensors_.emplace(name, &view).second)
        throw BaselineError{file->path() + ": tensor '" + name + "' is also in another shard"};
    }
}

std::vector<float> Checkpoint::load(const std::string &name,
                                    const std::vector<int64_t> &shape) const {
  size_t count = 1;
  for (int64_t d : shape)
    count *= static_cast<size_t>(d);
  std::vector<float> out(count);
  loadInto(name, shape, out.data());
  return out;
}

void Checkpoint::loadInto(const std::string &name, const std::vector<int64_t> &shape,
                          float *out) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end())
    throw BaselineError{directory_ + ": missing tensor '" + name + "' (shape " + shapeText(shape) +
                        ")"};
  const TensorView &view = *it->second;
  if (view.shape != shape)
    throw BaselineError{*view.file + ": tensor '" + name + "' has shape " + shapeText(view.shape) +
                        ", the config implies " + shapeText(shape)};
  size_t count = view.bytes / dtypeBytes(view.dtype);
  if (view.dtype == "F32") {
    std::memcpy(out, view.data, count * 4);
    return;
  }
  if (view.dtype == "BF16")
    convert<bf16ToF32>(view.data, count, out);
  else
    convert<f16ToF32>(view.data, count, out);
}

} // namespace kiln::baseline
