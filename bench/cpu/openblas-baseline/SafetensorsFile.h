// SafetensorsFile.h - one .safetensors file, mapped read-only: its header (nlohmann-json) and a
// view of each tensor's bytes.
#ifndef KILN_BENCH_OPENBLAS_SAFETENSORSFILE_H
#define KILN_BENCH_OPENBLAS_SAFETENSORSFILE_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::baseline {

struct TensorView {
  std::string dtype; // safetensors' name: "BF16", "F16", "F32", "F8_E4M3", ...
  std::vector<int64_t> shape;
  const uint8_t *data = nullptr;
  size_t bytes = 0;
  const std::string *file = nullptr; // the file it lives in, for error messages
};

class SafetensorsFile {
public:
  /// Maps `path` and reads its header: every tensor's offsets must lie in the data section and
  /// its byte count must match dtype x shape. Throws BaselineError "<path>: <problem>".
  explicit SafetensorsFile(std::string path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;

  const std::string &path() const { return path_; }
  const std::map<std::string, TensorView> &tensors() const { return tensors_; }

private:
  void map();
  void readHeader();

  std::string path_;
  const uint8_t *mapping_ = nullptr;
  size_t size_ = 0;
  std::map<std::string, TensorView> tensors_;
};

/// Bytes per element of a safetensors dtype; 0 for one the baseline does not know.
size_t dtypeBytes(const std::string &dtype);

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_SAFETENSORSFILE_H
