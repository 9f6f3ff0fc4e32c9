// Checkpoint.h - a Hugging Face checkpoint directory: config.json and its .safetensors files
// (one, several, or the shards a model.safetensors.index.json names), with every tensor
// readable as f32.
#ifndef KILN_BENCH_OPENBLAS_CHECKPOINT_H
#define KILN_BENCH_OPENBLAS_CHECKPOINT_H

#include "BaselineConfig.h"
#include "SafetensorsFile.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::baseline {

class Checkpoint {
public:
  /// Reads config.json and every shard's header. Refuses, naming the file, a config the
  /// baseline does not run (BaselineConfig.h) and any tensor stored in a dtype other than
  /// BF16, F16 or F32 (FP8 weights and their scales). Throws BaselineError.
  explicit Checkpoint(const std::string &directory);

  const BaselineConfig &config() const { return config_; }
  bool has(const std::string &name) const { return tensors_.count(name) != 0; }

  /// The tensor `name` converted to f32, which must have `shape`. Throws BaselineError naming
  /// the tensor (and its file) when it is missing or shaped otherwise.
  std::vector<float> load(const std::string &name, const std::vector<int64_t> &shape) const;
  /// The same, written to `out` (shape's element count floats).
  void loadInto(const std::string &name, const std::vector<int64_t> &shape, float *out) const;

private:
  std::vector<std::string> shardPaths() const;
  void indexTensors();

  std::string directory_;
  BaselineConfig config_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const TensorView *> tensors_;
};

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_CHECKPOINT_H
