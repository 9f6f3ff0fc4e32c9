// PairMap.h - the BPE merges as a flat open-addressing hash map: (left id, right id) to (rank,
// merged id). Built once, read on every merge step, so it is a plain array probed linearly.
#ifndef KILN_RUNTIME_TOKENIZER_PAIRMAP_H
#define KILN_RUNTIME_TOKENIZER_PAIRMAP_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::tokenizer {

struct Merge {
  uint32_t rank;
  int32_t mergedId;
};

class PairMap {
public:
  void reserve(size_t count) {
    size_t capacity = 16;
    while (capacity < count * 2) capacity <<= 1;
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, Merge{0, -1});
    mask_ = capacity - 1;
  }
  // A repeated pair keeps its last rank, as `tokenizers` (it collects the merges into a map).
  void insert(int32_t left, int32_t right, Merge merge) {
    uint64_t key = pack(left, right);
    for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key || keys_[slot] == kEmpty) {
        keys_[slot] = key;
        values_[slot] = merge;
        return;
      }
    }
  }
  // The merge of a pair, or null.
  const Merge *find(int32_t left, int32_t right) const {
    uint64_t key = pack(left, right);
    for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      if (keys_[slot] == key) return &values_[slot];
      if (keys_[slot] == kEmpty) return nullptr;
    }
  }

private:
  static constexpr uint64_t kEmpty = ~0ULL;
  static uint64_t pack(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  size_t hash(uint64_t key) const { return ((key * 0x9E3779B97F4A7C15ULL) >> 29) & mask_; }
  std::vector<uint64_t> keys_;
  std::vector<Merge> values_;
  size_t mask_ = 0;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_PAIRMAP_H
