// Session.cpp - open an artifact on the CPU device; run prefill and decode.
#include "Session.h"

#include "ArtifactReader.h"
#include "CpuCode.h"
#include "CpuPlan.h"
#include "HostBuffer.h"
#include "ThreadPool.h"
#include "artifact_generated.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

namespace kiln::engine {

namespace {

kiln_status_t failAt(kiln_status_code_t code, const std::string &path,
                     const std::string &problem) {
  return kiln_status_make(code, (path + ": " + problem).c_str());
}

/// The pool size: the option, else $KILN_NUM_THREADS, else every hardware thread.
kiln_status_t threadCount(unsigned requested, unsigned *out) {
  if (requested > kMaxThreads)
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT,
                            ("threads: " + std::to_string(requested) + " is more than " +
                             std::to_string(kMaxThreads))
                                .c_str());
  if (requested > 0) {
    *out = requested;
    return nullptr;
  }
  if (const char *env = std::getenv("KILN_NUM_THREADS"); env && *env) {
    char *end = nullptr;
    errno = 0;
    unsigned long value = std::strtoul(env, &end, 10);
    if (*end != '\0' || errno != 0 || value == 0 || value > kMaxThreads || env[0] == '-' ||
        env[0] == '+' || env[0] == ' ')
      return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT,
                              ("KILN_NUM_THREADS: '" + std::string(env) +
                               "' is not a number of threads (1 to " +
                               std::to_string(kMaxThreads) + ")")
                                  .c_str());
    *out = static_cast<unsigned>(value);
    return nullptr;
  }
  *out = std::max(1u, std::thread::hardware_concurrency());
  return nullptr;
}

// What to change when a limit compiled into the artifact is reached.
const char kLongerHint[] = "; recompile with kiln-compile --max-seq-len N (larger)";
const char kBatchHint[] = "; recompile with kiln-compile --max-batch N (larger)";
const char kPoolHint[] =
    "; end a sequence, or recompile with kiln-compile --max-batch N (larger: the pool holds "
    "max_batch sequences of max_seq_len tokens)";
const char kKvMemoryHint[] =
    "; the KV cache holds max_batch x max_seq_len tokens per layer: recompile with a smaller "
    "kiln-compile --max-batch or --max-seq-len, or free memory";
const char kArenaMemoryHint[] =
    "; the plans' arenas grow with kiln-compile --prefill-chunk and --max-batch: recompile with "
    "smaller values, or free memory";

/// Test hook: KILN_TEST_FAIL_ALLOC=kv|arena makes that allocation fail as if memory ran out,
/// so tests can see the error a host without the memory gives.
bool testFailAlloc(const char *what) {
  const char *v = std::getenv("KILN_TEST_FAIL_ALLOC");
  return v && std::strcmp(v, what) == 0;
}

kiln_status_t simulatedAllocFailure(const std::string &label, uint64_t bytes) {
  return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED,
                          (label + ": cannot allocate " + std::to_string(bytes) +
                           " bytes: " + std::strerror(ENOMEM) + " (KILN_TEST_FAIL_ALLOC)")
                              .c_str());
}

/// An allocation failure (RESOURCE_EXHAUSTED) with what to change appended; other errors as
/// they are.
kiln_status_t withHint(kiln_status_t status, const char *hint) {
  if (!status || kiln_status_code(status) != KILN_STATUS_RESOURCE_EXHAUSTED)
    return status;
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED, (message + hint).c_str());
}

const artifact::Plan *findPlan(const artifact::Target &target, const char *name) {
  if (const auto *plans = target.plans())
    for (const artifact::Plan *plan : *plans)
      if (plan->rank() == 0 && plan->name()->str() == name)
        return plan;
  return nullptr;
}

} // namespace

Session::Session() = default;
Session::~Session() = default;

const std::string &Session::path() const { return artifact_->path(); }
uint32_t Session::maxPrefillTokens() const { return prefill_->maxTokens(); }
uint32_t Session::maxDecodeBatch() const {
  return std::min(decode_->maxTokens(), kv_->maxBatch());
}
unsigned Session::threads() const { return pool_->threads(); }

kiln_status_t Session::fail(kiln_status_code_t code, const std::string &problem) const {
  return failAt(code, artifact_->path(), problem);
}

kiln_status_t Session::open(const std::string &path, const SessionOptions &options,
                            std::unique_ptr<Session> *out) {
  // The option is checked before the file is read, so its error comes first.
  unsigned threads = 0;
  if (kiln_status_t status = threadCount(options.threads, &threads))
    return status;
  std::shared_ptr<SharedArtifact> artifact;
  if (kiln_status_t status = SharedArtifact::open(path, &artifact))
    return status;
  return open(std::move(artifact), options, out);
}

kiln_status_t Session::open(std::shared_ptr<SharedArtifact> artifact,
                            const SessionOptions &options, std::unique_ptr<Session> *out) {
  unsigned threads = 0;
  if (kiln_status_t status = threadCount(options.threads, &threads))
    return status;
  std::unique_ptr<Session> session(new Session());
  session->artifact_ = std::move(artifact);
  SharedArtifact &shared = *session->artifact_;
  const runtime::ArtifactReader &reader = shared.reader();
  const std::string &path = reader.path();
  const artifact::Artifact &header = reader.header();
  if (header.ranks() != 1)
    return failAt(KILN_STATUS_UNIMPLEMENTED, path,
                  "the artifact is compiled for " + std::to_string(header.ranks()) +
                      " ranks; the CPU device runs single-rank artifacts only");

  const artifact::Target *target = nullptr;
  std::string carried;
  if (const auto *targets = header.code_targets())
    for (const artifact::Target *candidate : *targets) {
      carried += (carried.empty() ? "" : ", ") + candidate->name()->str();
      if (candidate->name()->str() == "cpu")
        target = candidate;
    }
  if (!target)
    return failAt(KILN_STATUS_NOT_FOUND, path,
                  "the artifact carries no CPU code (targets: " +
                      (carried.empty() ? std::string("none") : carried) +
                      "); compile it with --target cpu");
  const artifact::Plan *prefill = findPlan(*target, "prefill");
  const artifact::Plan *decode = findPlan(*target, "decode");
  for (auto [plan, name] : {std::pair{prefill, "prefill"}, std::pair{decode, "decode"}})
    if (!plan)
      return failAt(KILN_STATUS_NOT_FOUND, path,
                    std::string("target 'cpu' has no '") + name + "' plan for rank 0");
  const artifact::KvLayout *layout = header.kv_layout();
  if (!layout)
    return failAt(KILN_STATUS_INVALID_ARGUMENT, path, "the artifact has no KV cache layout");
  session->vocab_ = header.vocab_size();
  session->maxSeqLen_ = layout->max_seq_len();

  // The code and the record of hashed sections are the artifact's, shared by its sessions:
  // built by the first, under the artifact's lock until this session's plans are bound.
  std::unique_lock<std::mutex> lock(shared.mutex_);
  if (!shared.cpuCode_)
    if (kiln_status_t status = cpu::CpuCode::load(reader, *target, &shared.cpuCode_))
      return status;
  session->code_ = shared.cpuCode_.get();
  try {
    session->pool_ = std::make_unique<cpu::ThreadPool>(threads);
  } catch (const std::system_error &error) {
    return failAt(KILN_STATUS_RESOURCE_EXHAUSTED, path,
                  "cannot start " + std::to_string(threads) + " threads: " + error.what());
  }

  // The KV cache: one pool per layer (the reader has checked that the product fits).
  const uint64_t poolBytes =
      uint64_t{layout->num_blocks()} * layout->block_size() * layout->bytes_per_token();
  cpu::KvMemory kvMemory;
  for (uint32_t layer = 0; layer < layout->layers(); ++layer) {
    cpu::HostBuffer pool;
    const std::string label = path + ": KV pool of layer " + std::to_string(layer);
    if (testFailAlloc("kv"))
      return withHint(simulatedAllocFailure(label, poolBytes), kKvMemoryHint);
    if (kiln_status_t status = cpu::HostBuffer::allocate(poolBytes, label, &pool))
      return withHint(status, kKvMemoryHint);
    kvMemory.pools.push_back(pool.data());
    session->kvPools_.push_back(std::move(pool));
  }
  session->kv_ = std::make_unique<KvCache>(layout->num_blocks(), layout->block_size(),
                                           layout->max_batch(), layout->blocks_per_seq());
  kvMemory.blockTable = session->kv_->table();

  shared.verified_.resize(header.sections() ? header.sections()->size() : 0, false);
  if (testFailAlloc("arena"))
    return withHint(simulatedAllocFailure(path + ": plan 'prefill' arena", prefill->arena_bytes()),
                    kArenaMemoryHint);
  if (kiln_status_t status = cpu::CpuPlan::bind(reader, *prefill, *session->code_, kvMemory,
                                                &shared.verified_, &session->prefill_))
    return withHint(status, kArenaMemoryHint);
  if (kiln_status_t status = cpu::CpuPlan::bind(reader, *decode, *session->code_, kvMemory,
                                                &shared.verified_, &session->decode_))
    return withHint(status, kArenaMemoryHint);
  lock.unlock();
  *out = std::move(session);
  return nullptr;
}

kiln_status_t Session::checkToken(uint32_t slot, int32_t token, uint64_t position) {
  if (slot >= kv_->maxBatch())
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "sequence slot " + std::to_string(slot) + " is out of range (max_batch " +
                    std::to_string(kv_->maxBatch()) + ")" + kBatchHint);
  if (position >= maxSeqLen_)
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "position " + std::to_string(position) + " of slot " + std::to_string(slot) +
                    " is past the artifact's max_seq_len of " + std::to_string(maxSeqLen_) +
                    " tokens" + kLongerHint);
  if (token < 0 || static_cast<uint32_t>(token) >= vocab_)
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "token id " + std::to_string(token) + " at position " + std::to_string(position) +
                    " is outside the vocabulary (" + std::to_string(vocab_) + " tokens)");
  return nullptr;
}

kiln_status_t Session::run(const cpu::CpuPlan &plan, uint32_t numTokens, LogitsView *logits) {
  plan.run(numTokens, *pool_);
  *logits = LogitsView{plan.logits(), numTokens, vocab_};
  return nullptr;
}

kiln_status_t Session::prefill(uint32_t slot, const int32_t *tokens, size_t count,
                               uint32_t startPos, LogitsView *logits) {
  *logits = LogitsView{};
  if (count == 0)
    return fail(KILN_STATUS_INVALID_ARGUMENT, "prefill of no tokens");
  if (count > prefill_->maxTokens())
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "prefill of " + std::to_string(count) + " tokens is more than the plan's " +
                    std::to_string(prefill_->maxTokens()) + "; send it in chunks");
  // Positions grow with the index, so checking the last one checks them all.
  if (kiln_status_t status = checkToken(slot, 0, uint64_t{startPos} + count - 1))
    return status;
  for (size_t i = 0; i < count; ++i)
    if (kiln_status_t status = checkToken(slot, tokens[i], startPos + i))
      return status;
  if (!kv_->reserve(slot, static_cast<uint32_t>(startPos + count - 1)))
    return fail(KILN_STATUS_RESOURCE_EXHAUSTED,
                "the KV cache is full: slot " + std::to_string(slot) + " needs blocks up to " +
                    "position " + std::to_string(startPos + count - 1) + ", " +
                    std::to_string(kv_->freeBlocks()) + " of " +
                    std::to_string(kv_->numBlocks()) + " blocks are free" + kPoolHint);
  int32_t *ids = prefill_->input(cpu::kInputTokens);
  int32_t *positions = prefill_->input(cpu::kInputPositions);
  int32_t *slots = prefill_->input(cpu::kInputSlots);
  for (size_t i = 0; i < count; ++i) {
    ids[i] = tokens[i];
    positions[i] = static_cast<int32_t>(startPos + i);
    slots[i] = static_cast<int32_t>(slot);
  }
  return run(*prefill_, static_cast<uint32_t>(count), logits);
}

kiln_status_t Session::decode(const std::vector<DecodeToken> &batch, LogitsView *logits) {
  *logits = LogitsView{};
  if (batch.empty())
    return fail(KILN_STATUS_INVALID_ARGUMENT, "decode of no tokens");
  if (batch.size() > maxDecodeBatch())
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "decode of " + std::to_string(batch.size()) + " sequences is more than the " +
                    "plan's batch of " + std::to_string(maxDecodeBatch()) + kBatchHint);
  std::vector<bool> seen(kv_->maxBatch(), false);
  for (const DecodeToken &entry : batch) {
    if (kiln_status_t status = checkToken(entry.slot, entry.token, entry.position))
      return status;
    if (seen[entry.slot])
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "decode carries two tokens of slot " + std::to_string(entry.slot) +
                      " (one token per sequence and step)");
    seen[entry.slot] = true;
  }
  for (const DecodeToken &entry : batch)
    if (!kv_->reserve(entry.slot, entry.position))
      return fail(KILN_STATUS_RESOURCE_EXHAUSTED,
                  "the KV cache is full: slot " + std::to_string(entry.slot) +
                      " needs a block for position " + std::to_string(entry.position) + ", " +
                      std::to_string(kv_->freeBlocks()) + " of " +
                      std::to_string(kv_->numBlocks()) + " blocks are free" + kPoolHint);
  int32_t *ids = decode_->input(cpu::kInputTokens);
  int32_t *positions = decode_->input(cpu::kInputPositions);
  int32_t *slots = decode_->input(cpu::kInputSlots);
  for (size_t i = 0; i < batch.size(); ++i) {
    ids[i] = batch[i].token;
    positions[i] = static_cast<int32_t>(batch[i].position);
    slots[i] = static_cast<int32_t>(batch[i].slot);
  }
  return run(*decode_, static_cast<uint32_t>(batch.size()), logits);
}

kiln_status_t Session::reset(uint32_t slot) {
  if (slot >= kv_->maxBatch())
    return fail(KILN_STATUS_INVALID_ARGUMENT,
                "sequence slot " + std::to_string(slot) + " is out of range (max_batch " +
                    std::to_string(kv_->maxBatch()) + ")");
  kv_->release(slot);
  return nullptr;
}

} // namespace kiln::engine
