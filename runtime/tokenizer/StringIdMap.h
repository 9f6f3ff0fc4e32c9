// StringIdMap.h - token strings to ids: one arena of bytes and an open-addressing table of
// indices. Loading DeepSeek-V3 looks tokens up ~400k times (every merge names three); a
// std::unordered_map node per token made that the slowest part of loading.
#ifndef KILN_RUNTIME_TOKENIZER_STRINGIDMAP_H
#define KILN_RUNTIME_TOKENIZER_STRINGIDMAP_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::tokenizer {

class StringIdMap {
public:
  void reserve(size_t count) {
    size_t capacity = 16;
    while (capacity < count * 2) capacity <<= 1;
    rehash(capacity);
    offsets_.reserve(count);
  }
  // A key already present gets the new id (the last of repeated JSON keys wins).
  void insertOrAssign(std::string_view key, int32_t id) {
    if ((entries() + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    size_t slot = findSlot(key);
    if (slots_[slot] >= 0) {
      ids_[slots_[slot]] = id;
      return;
    }
    slots_[slot] = static_cast<int32_t>(entries());
    offsets_.push_back(arena_.size());
    arena_.append(key);
    lengths_.push_back(static_cast<uint32_t>(key.size()));
    ids_.push_back(id);
  }
  // The id of `key`, -1 when absent.
  int32_t find(std::string_view key) const {
    if (slots_.empty()) return -1;
    int32_t entry = slots_[findSlot(key)];
    return entry < 0 ? -1 : ids_[entry];
  }
  size_t size() const { return entries(); }
  // Calls f(key, id) for every entry, in insertion order.
  template <typename F> void forEach(F f) const {
    for (size_t i = 0; i < entries(); ++i) f(keyAt(i), ids_[i]);
  }

private:
  size_t entries() const { return offsets_.size(); }
  std::string_view keyAt(size_t i) const { return std::string_view(arena_).substr(offsets_[i], lengths_[i]); }
  size_t findSlot(std::string_view key) const {
    size_t mask = slots_.size() - 1;
    for (size_t slot = std::hash<std::string_view>()(key) & mask;; slot = (slot + 1) & mask)
      if (slots_[slot] < 0 || keyAt(slots_[slot]) == key) return slot;
  }
  void rehash(size_t capacity) {
    slots_.assign(capacity, -1);
    for (size_t i = 0; i < entries(); ++i) slots_[findSlot(keyAt(i))] = static_cast<int32_t>(i);
  }

  std::string arena_;
  std::vector<size_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::vector<int32_t> ids_, slots_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_STRINGIDMAP_H
