//===- Checkpoint.cpp - open a checkpoint directory, headers only ---------------===//

#include "compiler/frontend/Checkpoint.h"

#include "compiler/frontend/ImportError.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace kiln::frontend {

static constexpr const char *kConfig = "config.json";
static constexpr const char *kIndex = "model.safetensors.index.json";
static constexpr const char *kSingle = "model.safetensors";

std::string Checkpoint::path(StringRef file) const {
  SmallString<256> joined(directory);
  sys::path::append(joined, file);
  return std::string(joined);
}

namespace {

/// Reads a whole (small) metadata file with read(), never mmap, so every byte an import reads
/// shows in /proc/self/io and the headers-only bound is measurable; counts the bytes.
Expected<std::string> readMetadataFile(const Checkpoint &c, StringRef file, uint64_t &bytes) {
  Expected<sys::fs::file_t> fd = sys::fs::openNativeFileForRead(c.path(file));
  if (!fd)
    return importError(c.path(file), "cannot read: " + toString(fd.takeError()));
  SmallString<0> text;
  Error read = sys::fs::readNativeFileToEOF(*fd, text);
  sys::fs::closeFile(*fd);
  if (read)
    return importError(c.path(file), "cannot read: " + toString(std::move(read)));
  bytes += text.size();
  return std::string(text.str());
}

/// A token written as a string or as {"content": ...} (AddedToken) in tokenizer_config.json.
std::string tokenText(const json::Value *value) {
  if (!value)
    return "";
  if (std::optional<StringRef> text = value->getAsString())
    return text->str();
  if (const json::Object *object = value->getAsObject())
    if (std::optional<StringRef> content = object->getString("content"))
      return content->str();
  return "";
}

Error readTokenizerFiles(Checkpoint &c) {
  uint64_t size = 0;
  if (!sys::fs::file_size(c.path("tokenizer.json"), size)) {
    c.tokenizer.hasTokenizerJson = true;
    c.tokenizer.tokenizerJsonBytes = size;
  }
  if (!sys::fs::exists(c.path("tokenizer_config.json")))
    return Error::success();
  Expected<std::string> text = readMetadataFile(c, "tokenizer_config.json", c.metadataBytes);
  if (!text)
    return text.takeError();
  Expected<json::Value> parsed = json::parse(*text);
  if (!parsed)
    return importError(c.path("tokenizer_config.json"),
                       "not valid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return importError(c.path("tokenizer_config.json"), "must hold a JSON object");
  c.tokenizer.hasTokenizerConfig = true;
  c.tokenizer.bosToken = tokenText(root->get("bos_token"));
  c.tokenizer.eosToken = tokenText(root->get("eos_token"));
  c.tokenizer.addBosToken = root->getBoolean("add_bos_token");
  if (std::optional<StringRef> chat = root->getString("chat_template"))
    c.tokenizer.chatTemplate = chat->str();
  return Error::success();
}

/// The shards named by the index, with the tensor each entry promises.
Expected<std::vector<std::string>> readIndex(Checkpoint &c, StringMap<std::string> &promised) {
  Expected<std::string> text = readMetadataFile(c, kIndex, c.metadataBytes);
  if (!text)
    return text.takeError();
  Expected<json::Value> parsed = json::parse(*text);
  if (!parsed)
    return importError(c.path(kIndex), "not valid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  const json::Object *weightMap = root ? root->getObject("weight_map") : nullptr;
  if (!weightMap)
    return importError(c.path(kIndex), "has no 'weight_map' object");
  std::vector<std::string> shards;
  StringSet<> seen;
  for (const auto &[tensor, file] : *weightMap) {
    std::optional<StringRef> shard = file.getAsString();
    if (!shard)
      return importError(c.path(kIndex), "weight_map entry '" + StringRef(tensor) +
                                             "' is not a file name");
    if (shard->contains('/') || *shard == "." || *shard == "..")
      return importError(c.path(kIndex), "weight_map entry '" + StringRef(tensor) +
                                             "' names '" + *shard +
                                             "', not a file in the checkpoint directory");
    promised[tensor] = shard->str();
    if (seen.insert(*shard).second)
      shards.push_back(shard->str());
  }
  std::sort(shards.begin(), shards.end());
  return shards;
}

} // namespace

Expected<Checkpoint> openCheckpoint(StringRef directory) {
  Checkpoint c;
  c.directory = directory.str();
  if (!sys::fs::is_directory(directory))
    return importError(directory, sys::fs::exists(directory) ? "is not a directory"
                                                             : "no such directory");
  if (!sys::fs::exists(c.path(kConfig)))
    return importError(c.path(kConfig),
                       "missing: not a Hugging Face checkpoint directory (no config.json)");
  Expected<std::string> configText = readMetadataFile(c, kConfig, c.metadataBytes);
  if (!configText)
    return configText.takeError();
  Expected<ModelConfig> config = parseModelConfig(*configText, c.path(kConfig));
  if (!config)
    return config.takeError();
  c.config = std::move(*config);

  StringMap<std::string> promised;
  if (sys::fs::exists(c.path(kIndex))) {
    Expected<std::vector<std::string>> shards = readIndex(c, promised);
    if (!shards)
      return shards.takeError();
    c.shardFiles = std::move(*shards);
    c.tensorListFile = kIndex;
  } else if (sys::fs::exists(c.path(kSingle))) {
    c.shardFiles = {kSingle};
    c.tensorListFile = kSingle;
  } else {
    return importError(c.path(kSingle), "missing, and there is no " + Twine(kIndex) +
                                            " (no weights in this checkpoint)");
  }

  for (const std::string &shard : c.shardFiles) {
    if (!sys::fs::exists(c.path(shard)))
      return importError(c.path(shard), c.tensorListFile == kIndex
                                            ? "missing shard (listed in " + Twine(kIndex) + ")"
                                            : Twine("missing"));
    Expected<SafetensorsHeader> header = readSafetensorsHeader(c.path(shard), c.path(shard));
    if (!header)
      return header.takeError();
    c.metadataBytes += 8 + header->headerLength;
    for (TensorInfo &info : header->tensors) {
      auto [it, inserted] = c.tensors.try_emplace(
          info.name,
          CheckpointTensor{info.dtype, std::move(info.shape), shard, info.offset, info.size});
      if (!inserted)
        return importError(c.path(shard), "tensor '" + info.name + "' is also in '" +
                                              it->second.file + "'");
    }
  }

  // The index and the shards must agree.
  for (const auto &entry : promised) {
    auto found = c.tensors.find(entry.getKey());
    if (found == c.tensors.end())
      return importError(c.path(kIndex), "names tensor '" + entry.getKey() + "' in '" +
                                             entry.getValue() + "', which that shard lacks");
    if (found->second.file != entry.getValue())
      return importError(c.path(kIndex), "places tensor '" + entry.getKey() + "' in '" +
                                             entry.getValue() + "', but it is in '" +
                                             found->second.file + "'");
  }
  if (!promised.empty()) {
    // As transformers: the index decides what is loaded.
    std::vector<std::string> unlisted;
    for (const auto &entry : c.tensors)
      if (!promised.count(entry.getKey()))
        unlisted.push_back(entry.getKey().str());
    std::sort(unlisted.begin(), unlisted.end());
    for (const std::string &name : unlisted) {
      c.warnings.push_back(c.path(c.tensors[name].file) + ": tensor '" + name +
                           "' is not in " + kIndex + " (ignored)");
      c.tensors.erase(name);
    }
  }

  if (Error e = readTokenizerFiles(c))
    return std::move(e);
  return c;
}

} // namespace kiln::frontend
