// Session.h - the engine: an artifact opened on the CPU device, ready to run its plans.
//
//   std::unique_ptr<Session> session;
//   if (kiln_status_t status = Session::open("model.kiln", {}, &session)) ...
//   LogitsView logits;
//   session->prefill(/*slot=*/0, ids.data(), ids.size(), /*startPos=*/0, &logits);
//   session->decode({{/*slot=*/0, next, /*position=*/ids.size()}}, &logits);
//   session->reset(0);
//
// Opening verifies the artifact (ArtifactReader: header, features, every index and size of the
// plans), picks the "cpu" target, loads its code in memory, hashes the weight and constant
// sections the plans read, and allocates the arenas, the inputs and the paged KV cache
// (kv_layout.num_blocks blocks per layer). After that a call is: check the request, give the
// sequences the KV blocks their positions need, fill the inputs, replay the plan's launches.
// No exceptions cross this API; errors are kiln_status_t values naming the artifact. A session
// is not thread-safe: one call at a time. Sessions of one SharedArtifact (open(artifact, ...))
// share its mapping, its loaded code and its hashed sections, and run concurrently.
#ifndef KILN_RUNTIME_ENGINE_SESSION_H
#define KILN_RUNTIME_ENGINE_SESSION_H

#include "KvCache.h"
#include "SharedArtifact.h"
#include "kiln_runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::runtime {
class ArtifactReader;
} // namespace kiln::runtime

namespace kiln::cpu {
class CpuCode;
class CpuPlan;
class HostBuffer;
class ThreadPool;
} // namespace kiln::cpu

namespace kiln::engine {

struct SessionOptions {
  /// Threads of the CPU device, the caller's included. 0: $KILN_NUM_THREADS if set, else
  /// std::thread::hardware_concurrency().
  unsigned threads = 0;
};

/// The most threads a session starts.
inline constexpr unsigned kMaxThreads = 1024;

/// One token of a decode step: the next token of the sequence in `slot`, at `position`.
struct DecodeToken {
  uint32_t slot = 0;
  int32_t token = 0;
  uint32_t position = 0;
};

/// float32 logits [rows, vocab], row-major. Valid until the session's next prefill or decode.
struct LogitsView {
  const float *data = nullptr;
  uint32_t rows = 0;
  uint32_t vocab = 0;
  const float *row(uint32_t i) const { return data + size_t{i} * vocab; }
};

class Session {
public:
  static kiln_status_t open(const std::string &path, const SessionOptions &options,
                            std::unique_ptr<Session> *out);
  /// A session over an artifact already open, which it keeps alive. Safe to call from several
  /// threads at once for one artifact.
  static kiln_status_t open(std::shared_ptr<SharedArtifact> artifact,
                            const SessionOptions &options, std::unique_ptr<Session> *out);
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  /// Runs `count` tokens of the sequence in `slot` at positions startPos .. startPos+count-1
  /// (1 <= count <= maxPrefillTokens(); startPos > 0 continues a sequence whose earlier
  /// positions are in the cache). `logits` gets one row per token.
  kiln_status_t prefill(uint32_t slot, const int32_t *tokens, size_t count, uint32_t startPos,
                        LogitsView *logits);
  /// Runs one token for each entry of `batch` (1 .. maxDecodeBatch() entries, distinct slots);
  /// `logits` row i belongs to batch[i].
  kiln_status_t decode(const std::vector<DecodeToken> &batch, LogitsView *logits);
  /// Ends the sequence in `slot`: its KV blocks go back to the free list, and the slot may
  /// start another sequence at position 0.
  kiln_status_t reset(uint32_t slot);

  const std::string &path() const;
  uint32_t vocabSize() const { return vocab_; }
  uint32_t maxSeqLen() const { return maxSeqLen_; }
  /// Sequence slots: 0 .. maxBatch() - 1.
  uint32_t maxBatch() const { return kv_->maxBatch(); }
  uint32_t maxPrefillTokens() const;
  uint32_t maxDecodeBatch() const;
  unsigned threads() const;
  const KvCache &kvCache() const { return *kv_; }

private:
  Session();
  kiln_status_t fail(kiln_status_code_t code, const std::string &problem) const;
  kiln_status_t checkToken(uint32_t slot, int32_t token, uint64_t position);
  kiln_status_t run(const cpu::CpuPlan &plan, uint32_t numTokens, LogitsView *logits);

  // Declared in the order they are built; destroyed in reverse (plans before the code and
  // memory they point into, threads joined before the artifact, and with it the code, can go).
  std::shared_ptr<SharedArtifact> artifact_;
  const cpu::CpuCode *code_ = nullptr; // owned by artifact_
  std::unique_ptr<cpu::ThreadPool> pool_;
  std::vector<cpu::HostBuffer> kvPools_;
  std::unique_ptr<KvCache> kv_;
  std::unique_ptr<cpu::CpuPlan> prefill_, decode_;
  uint32_t vocab_ = 0;
  uint32_t maxSeqLen_ = 0;
};

} // namespace kiln::engine

#endif // KILN_RUNTIME_ENGINE_SESSION_H
