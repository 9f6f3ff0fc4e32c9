// Bpe.cpp - byte-level BPE merging (see Bpe.h).
#include "Bpe.h"

#include "ByteLevel.h"

#include <queue>

namespace kiln::tokenizer {

namespace {
constexpr uint32_t kNoMerge = ~0u;
} // namespace

Bpe::Bpe(StringIdMap vocab, std::array<int32_t, 256> byteIds, PairMap merges, bool ignoreMerges)
    : vocab_(std::move(vocab)), byteIds_(byteIds), merges_(std::move(merges)),
      ignoreMerges_(ignoreMerges) {}

void Bpe::encodeWord(std::string_view word, BpeScratch &scratch, std::vector<int32_t> *ids) const {
  if (word.size() > kMaxCachedWordBytes) {
    mergeWord(word, scratch, kLinearScanLimit, ids);
    return;
  }
  scratch.key.assign(word);
  auto hit = scratch.cache.find(scratch.key);
  if (hit != scratch.cache.end()) {
    ids->insert(ids->end(), hit->second.begin(), hit->second.end());
    return;
  }
  size_t before = ids->size();
  mergeWord(word, scratch, kLinearScanLimit, ids);
  if (scratch.cache.size() >= kCacheCapacity) scratch.cache.clear();
  scratch.cache.emplace(scratch.key, std::vector<int32_t>(ids->begin() + before, ids->end()));
}

void Bpe::mergeWord(std::string_view word, BpeScratch &scratch, size_t linearScanLimit,
                    std::vector<int32_t> *ids) const {
  if (ignoreMerges_) {
    int32_t whole = vocab_.find(ByteLevel::instance().encode(word));
    if (whole >= 0) {
      ids->push_back(whole);
      return;
    }
  }
  auto &symbols = scratch.symbols;
  symbols.clear();
  for (unsigned char byte : word) {
    int32_t id = byteIds_[byte];
    if (id < 0) continue;
    int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1});
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;
  if (symbols.size() > 1) {
    if (symbols.size() <= linearScanLimit) mergeLinear(scratch);
    else mergeHeap(scratch);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) ids->push_back(symbols[i].id);
}

// ranks[i] is the rank of the pair (symbol i, its next), kNoMerge when it has none. Each step
// merges the lowest rank, leftmost first, then refreshes the two pairs the merge changed.
void Bpe::mergeLinear(BpeScratch &scratch) const {
  auto &symbols = scratch.symbols;
  auto &ranks = scratch.ranks;
  ranks.assign(symbols.size(), kNoMerge);
  auto rankOf = [&](int32_t i) {
    int32_t next = symbols[i].next;
    if (next < 0) return kNoMerge;
    const Merge *merge = merges_.find(symbols[i].id, symbols[next].id);
    return merge ? merge->rank : kNoMerge;
  };
  for (int32_t i = 0; i >= 0; i = symbols[i].next) ranks[i] = rankOf(i);
  for (;;) {
    int32_t best = -1;
    uint32_t bestRank = kNoMerge;
    for (int32_t i = 0; i >= 0; i = symbols[i].next)
      if (ranks[i] < bestRank) { bestRank = ranks[i]; best = i; }
    if (best < 0) return;
    int32_t right = symbols[best].next;
    symbols[best].id = merges_.find(symbols[best].id, symbols[right].id)->mergedId;
    symbols[best].next = symbols[right].next;
    if (symbols[right].next >= 0) symbols[symbols[right].next].prev = best;
    ranks[best] = rankOf(best);
    if (symbols[best].prev >= 0) ranks[symbols[best].prev] = rankOf(symbols[best].prev);
  }
}

// `tokenizers`' algorithm: a min-heap of (rank, position) candidates; an entry whose pair has
// changed since it was pushed is skipped when popped.
void Bpe::mergeHeap(BpeScratch &scratch) const {
  auto &symbols = scratch.symbols;
  struct Candidate {
    uint32_t rank;
    int32_t pos;
    int32_t mergedId;
    bool operator>(const Candidate &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  std::vector<bool> removed(symbols.size(), false);
  auto push = [&](int32_t i) {
    int32_t next = symbols[i].next;
    if (next < 0) return;
    if (const Merge *merge = merges_.find(symbols[i].id, symbols[next].id))
      queue.push({merge->rank, i, merge->mergedId});
  };
  for (int32_t i = 0; i >= 0; i = symbols[i].next) push(i);
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    if (removed[top.pos]) continue;
    int32_t right = symbols[top.pos].next;
    if (right < 0) continue;
    const Merge *merge = merges_.find(symbols[top.pos].id, symbols[right].id);
    if (!merge || merge->mergedId != top.mergedId) continue; // stale
    symbols[top.pos].id = top.mergedId;
    symbols[top.pos].next = symbols[right].next;
    removed[right] = true;
    if (symbols[right].next >= 0) symbols[symbols[right].next].prev = top.pos;
    if (symbols[top.pos].prev >= 0) push(symbols[top.pos].prev);
    push(top.pos);
  }
}

} // namespace kiln::tokenizer
