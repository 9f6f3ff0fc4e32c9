// Bpe.h - byte-level BPE: a word's bytes become the ids of their byte characters, then
// adjacent pairs are merged by rank until no pair in the merge list remains.
//
// The order is `tokenizers`' (Word::merge_all): always the pair of lowest rank, the leftmost of
// equal ranks. Short words are merged with a linear scan over the cached pair ranks, long ones
// with a heap; both apply merges in that same order, so they give the same ids.
#ifndef KILN_RUNTIME_TOKENIZER_BPE_H
#define KILN_RUNTIME_TOKENIZER_BPE_H

#include "PairMap.h"
#include "StringIdMap.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::tokenizer {

// Per-thread BPE state: a cache of recent words and scratch buffers.
struct BpeScratch {
  std::unordered_map<std::string, std::vector<int32_t>> cache;
  std::string key; // reused for lookups, so a cache hit allocates nothing
  struct Symbol {
    int32_t id;
    int32_t prev, next;
  };
  std::vector<Symbol> symbols;
  std::vector<uint32_t> ranks;
};

class Bpe {
public:
  // Words up to this many bytes are cached (as `tokenizers`: 256); the cache is emptied when
  // it holds this many words.
  static constexpr size_t kMaxCachedWordBytes = 256, kCacheCapacity = 10000;
  // Words with more byte symbols than this are merged with the heap.
  static constexpr size_t kLinearScanLimit = 96;

  // `vocab` maps byte-level spelled tokens to ids; `byteIds` is the id of each byte's
  // character (-1 where the vocabulary lacks it: such bytes are dropped, as `tokenizers` does
  // without an unk token). `ignoreMerges`: a word that is itself in the vocabulary is one id.
  Bpe(StringIdMap vocab, std::array<int32_t, 256> byteIds, PairMap merges, bool ignoreMerges);

  // Appends the ids of one pre-tokenized word (raw bytes, not byte-level spelled).
  void encodeWord(std::string_view word, BpeScratch &scratch, std::vector<int32_t> *ids) const;
  // The same without the cache, with an explicit linear-scan limit (tests use both paths).
  void mergeWord(std::string_view word, BpeScratch &scratch, size_t linearScanLimit,
                 std::vector<int32_t> *ids) const;

  const StringIdMap &vocab() const { return vocab_; }

private:
  void mergeLinear(BpeScratch &scratch) const;
  void mergeHeap(BpeScratch &scratch) const;

  StringIdMap vocab_;
  std::array<int32_t, 256> byteIds_;
  PairMap merges_;
  bool ignoreMerges_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_BPE_H
