//===- Checkpoint.h - a Hugging Face checkpoint directory, headers only ---------===//
//
// Opening a checkpoint reads config.json, the safetensors index (if any), every shard's header
// (two preads each) and tokenizer_config.json; never tensor data. `verifyCheckpoint` then holds
// the tensors to what the config implies.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_CHECKPOINT_H
#define KILN_COMPILER_FRONTEND_CHECKPOINT_H

#include "compiler/frontend/ModelConfig.h"
#include "compiler/frontend/SafetensorsHeader.h"

#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::frontend {

struct CheckpointTensor {
  Dtype dtype;
  std::vector<int64_t> shape;
  /// The shard holding the data, relative to the checkpoint directory.
  std::string file;
  /// Absolute byte range of the data in that shard.
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// What tokenizer_config.json says, and whether tokenizer.json is there.
struct TokenizerFiles {
  bool hasTokenizerJson = false;
  uint64_t tokenizerJsonBytes = 0;
  bool hasTokenizerConfig = false;
  std::string bosToken, eosToken;
  std::optional<bool> addBosToken;
  std::string chatTemplate;
};

struct Checkpoint {
  /// The directory as the user named it (error messages join file names to it).
  std::string directory;
  ModelConfig config;
  llvm::StringMap<CheckpointTensor> tensors;
  /// The file that lists the tensors: the index, or model.safetensors.
  std::string tensorListFile;
  std::vector<std::string> shardFiles;
  /// Bytes of metadata read: config, index, shard headers, tokenizer_config.
  uint64_t metadataBytes = 0;
  TokenizerFiles tokenizer;

  // Filled by verifyCheckpoint.
  /// Per layer: the routed experts are in transformers v5's fused layout.
  std::vector<bool> fusedExperts;
  /// The checkpoint carries the MTP layers (transformers' save_pretrained drops them).
  bool hasMTP = false;
  std::vector<std::string> warnings;

  /// `directory`/`file`, for messages.
  std::string path(llvm::StringRef file) const;
};

/// Reads the checkpoint's metadata. Errors read "<path>: <problem>".
llvm::Expected<Checkpoint> openCheckpoint(llvm::StringRef directory);

/// Checks that every tensor the config implies is present with the right dtype and shape
/// (FP8 weights with block scales of the right shape), accepts per-expert and fused expert
/// layouts, recognises MTP layers and the V3.2 indexer, and records a warning per unexpected
/// tensor.
llvm::Error verifyCheckpoint(Checkpoint &checkpoint);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_CHECKPOINT_H
