// c_api.cpp - the C API's artifacts, sessions, sequences, steps and sampling (kiln_runtime.h)
// over the engine (runtime/engine) and the sampler (runtime/sampling).
//
// Every entry point runs its body inside guarded(): no exception leaves the library (an
// allocation failure is RESOURCE_EXHAUSTED, anything else INTERNAL). A call checks everything
// before it changes anything, and what it does after the engine has run cannot allocate (the
// sequences' token lists and the rows' owners are reserved when they are made), so a failed
// call leaves the session as it was.
#include "kiln_runtime.h"

#include "ArtifactReader.h"
#include "Sampler.h"
#include "Session.h"
#include "SharedArtifact.h"
#include "artifact_generated.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

using kiln::engine::DecodeToken;
using kiln::engine::LogitsView;
using kiln::engine::Session;
using kiln::engine::SharedArtifact;
using kiln::sampling::Sampler;
using kiln::sampling::SamplingConfig;

struct kiln_artifact_s {
  std::shared_ptr<SharedArtifact> shared;
};

struct kiln_session_s {
  struct Sequence {
    bool active = false;
    // Bumped when the slot starts a sequence, so rows of an earlier one are told apart.
    uint32_t generation = 0;
    std::vector<int32_t> tokens; // capacity max_seq_len, reserved once
    std::unique_ptr<Sampler> sampler;
    SamplingConfig config; // what `sampler` was made with
  };
  // Who a row of the last logits belongs to.
  struct Row {
    uint32_t slot, generation, position;
  };

  std::unique_ptr<Session> engine;
  std::vector<Sequence> sequences; // one per slot, max_batch
  bool hasLogits = false;
  LogitsView logits;
  std::vector<Row> rows; // capacity max(prefill tokens, decode batch), reserved once
};

namespace {

kiln_status_t error(kiln_status_code_t code, const std::string &message) {
  return kiln_status_make(code, message.c_str());
}

/// "PATH: problem", as the engine words its errors.
kiln_status_t sessionError(const kiln_session_s &session, kiln_status_code_t code,
                           const std::string &problem) {
  return error(code, session.engine->path() + ": " + problem);
}

kiln_status_t nullArgument(const char *function, const char *what) {
  return error(KILN_STATUS_INVALID_ARGUMENT, std::string(function) + ": " + what + " is NULL");
}

/// Runs `body`, turning any exception into a status.
template <typename Body> kiln_status_t guarded(const char *function, Body &&body) noexcept {
  char message[256];
  try {
    return body();
  } catch (const std::bad_alloc &) {
    std::snprintf(message, sizeof message, "%s: out of memory", function);
    return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED, message);
  } catch (const std::exception &exception) {
    std::snprintf(message, sizeof message, "%s: internal error: %s", function, exception.what());
    return kiln_status_make(KILN_STATUS_INTERNAL, message);
  } catch (...) {
    std::snprintf(message, sizeof message, "%s: internal error: an unknown exception", function);
    return kiln_status_make(KILN_STATUS_INTERNAL, message);
  }
}

const kiln::artifact::KvLayout *kvLayout(const SharedArtifact &artifact, kiln_status_t *status) {
  const kiln::artifact::KvLayout *layout = artifact.reader().header().kv_layout();
  if (!layout)
    *status = error(KILN_STATUS_NOT_FOUND, artifact.path() + ": the artifact has no KV cache layout");
  return layout;
}

/// The sequence in `slot`, or an error naming the slot.
kiln_status_t activeSequence(kiln_session_s &session, uint32_t slot,
                             kiln_session_s::Sequence **out) {
  if (slot >= session.sequences.size() || !session.sequences[slot].active)
    return sessionError(session, KILN_STATUS_NOT_FOUND,
                        "no sequence in slot " + std::to_string(slot) +
                            " (kiln_sequence_add starts one)");
  *out = &session.sequences[slot];
  return nullptr;
}

bool sameConfig(const SamplingConfig &a, const SamplingConfig &b) {
  return a.temperature == b.temperature && a.topK == b.topK && a.topP == b.topP &&
         a.repetitionPenalty == b.repetitionPenalty && a.seed == b.seed;
}

/// Reads a session-level uint32 query.
template <typename Get>
kiln_status_t sessionQuery(const char *function, kiln_session_t session, uint32_t *out,
                           Get &&get) {
  return guarded(function, [&]() -> kiln_status_t {
    if (!session)
      return nullArgument(function, "session");
    if (!out)
      return nullArgument(function, "the result pointer");
    *out = get(*session->engine);
    return nullptr;
  });
}

} // namespace

// ---- Artifacts ----

kiln_status_t kiln_artifact_open(const char *path, kiln_artifact_t *artifact) {
  return guarded("kiln_artifact_open", [&]() -> kiln_status_t {
    if (!path)
      return nullArgument("kiln_artifact_open", "path");
    if (!artifact)
      return nullArgument("kiln_artifact_open", "artifact");
    std::shared_ptr<SharedArtifact> shared;
    if (kiln_status_t status = SharedArtifact::open(path, &shared))
      return status;
    *artifact = new kiln_artifact_s{std::move(shared)};
    return nullptr;
  });
}

void kiln_artifact_close(kiln_artifact_t artifact) { delete artifact; }

kiln_status_t kiln_artifact_vocab_size(kiln_artifact_t artifact, uint32_t *vocab_size) {
  return guarded("kiln_artifact_vocab_size", [&]() -> kiln_status_t {
    if (!artifact)
      return nullArgument("kiln_artifact_vocab_size", "artifact");
    if (!vocab_size)
      return nullArgument("kiln_artifact_vocab_size", "vocab_size");
    *vocab_size = artifact->shared->reader().header().vocab_size();
    return nullptr;
  });
}

kiln_status_t kiln_artifact_max_seq_len(kiln_artifact_t artifact, uint32_t *max_seq_len) {
  return guarded("kiln_artifact_max_seq_len", [&]() -> kiln_status_t {
    if (!artifact)
      return nullArgument("kiln_artifact_max_seq_len", "artifact");
    if (!max_seq_len)
      return nullArgument("kiln_artifact_max_seq_len", "max_seq_len");
    kiln_status_t status = nullptr;
    if (const kiln::artifact::KvLayout *layout = kvLayout(*artifact->shared, &status))
      *max_seq_len = layout->max_seq_len();
    return status;
  });
}

kiln_status_t kiln_artifact_max_batch(kiln_artifact_t artifact, uint32_t *max_batch) {
  return guarded("kiln_artifact_max_batch", [&]() -> kiln_status_t {
    if (!artifact)
      return nullArgument("kiln_artifact_max_batch", "artifact");
    if (!max_batch)
      return nullArgument("kiln_artifact_max_batch", "max_batch");
    kiln_status_t status = nullptr;
    if (const kiln::artifact::KvLayout *layout = kvLayout(*artifact->shared, &status))
      *max_batch = layout->max_batch();
    return status;
  });
}

// ---- Sessions ----

void kiln_session_options_init(kiln_session_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof *options);
  options->device = "cpu";
  options->threads = 0;
}

kiln_status_t kiln_session_create(kiln_artifact_t artifact, const kiln_session_options_t *options,
                                  kiln_session_t *session) {
  return guarded("kiln_session_create", [&]() -> kiln_status_t {
    if (!artifact)
      return nullArgument("kiln_session_create", "artifact");
    if (!session)
      return nullArgument("kiln_session_create", "session");
    kiln_session_options_t defaults;
    kiln_session_options_init(&defaults);
    if (!options)
      options = &defaults;
    const std::string device = options->device ? options->device : "cpu";
    if (device == "cuda" || device.rfind("cuda:", 0) == 0)
      return error(KILN_STATUS_UNIMPLEMENTED,
                   "kiln_session_create: device '" + device +
                       "': the C API runs sessions on the CPU only for now; use \"cpu\"");
    if (device != "cpu")
      return error(KILN_STATUS_INVALID_ARGUMENT,
                   "kiln_session_create: unknown device '" + device + "' (expected \"cpu\")");

    auto created = std::make_unique<kiln_session_s>();
    kiln::engine::SessionOptions engineOptions;
    engineOptions.threads = options->threads;
    if (kiln_status_t status = Session::open(artifact->shared, engineOptions, &created->engine))
      return status;
    const Session &engine = *created->engine;
    created->sequences.resize(engine.maxBatch());
    for (kiln_session_s::Sequence &sequence : created->sequences)
      sequence.tokens.reserve(engine.maxSeqLen());
    created->rows.reserve(std::max(engine.maxPrefillTokens(), engine.maxDecodeBatch()));
    *session = created.release();
    return nullptr;
  });
}

void kiln_session_destroy(kiln_session_t session) { delete session; }

kiln_status_t kiln_session_max_prefill_tokens(kiln_session_t session, uint32_t *tokens) {
  return sessionQuery("kiln_session_max_prefill_tokens", session, tokens,
                      [](const Session &s) { return s.maxPrefillTokens(); });
}

kiln_status_t kiln_session_max_decode_batch(kiln_session_t session, uint32_t *batch) {
  return sessionQuery("kiln_session_max_decode_batch", session, batch,
                      [](const Session &s) { return s.maxDecodeBatch(); });
}

kiln_status_t kiln_session_vocab_size(kiln_session_t session, uint32_t *vocab_size) {
  return sessionQuery("kiln_session_vocab_size", session, vocab_size,
                      [](const Session &s) { return s.vocabSize(); });
}

kiln_status_t kiln_session_max_seq_len(kiln_session_t session, uint32_t *max_seq_len) {
  return sessionQuery("kiln_session_max_seq_len", session, max_seq_len,
                      [](const Session &s) { return s.maxSeqLen(); });
}

kiln_status_t kiln_session_max_batch(kiln_session_t session, uint32_t *max_batch) {
  return sessionQuery("kiln_session_max_batch", session, max_batch,
                      [](const Session &s) { return s.maxBatch(); });
}

kiln_status_t kiln_session_threads(kiln_session_t session, uint32_t *threads) {
  return sessionQuery("kiln_session_threads", session, threads,
                      [](const Session &s) { return static_cast<uint32_t>(s.threads()); });
}

// ---- Sequences ----

kiln_status_t kiln_sequence_add(kiln_session_t session, uint32_t *slot) {
  return guarded("kiln_sequence_add", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_sequence_add", "session");
    if (!slot)
      return nullArgument("kiln_sequence_add", "slot");
    for (uint32_t i = 0; i < session->sequences.size(); ++i) {
      kiln_session_s::Sequence &sequence = session->sequences[i];
      if (sequence.active)
        continue;
      sequence.active = true;
      ++sequence.generation;
      sequence.tokens.clear();
      sequence.sampler.reset();
      *slot = i;
      return nullptr;
    }
    const std::string slots = std::to_string(session->sequences.size());
    return sessionError(*session, KILN_STATUS_RESOURCE_EXHAUSTED,
                        "too many sequences: all " + slots + " slots (max_batch " + slots +
                            ") hold one; remove a sequence first, or recompile with kiln-compile "
                            "--max-batch N (larger)");
  });
}

kiln_status_t kiln_sequence_remove(kiln_session_t session, uint32_t slot) {
  return guarded("kiln_sequence_remove", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_sequence_remove", "session");
    kiln_session_s::Sequence *sequence = nullptr;
    if (kiln_status_t status = activeSequence(*session, slot, &sequence))
      return status;
    if (kiln_status_t status = session->engine->reset(slot))
      return status;
    sequence->active = false;
    sequence->tokens.clear();
    sequence->sampler.reset();
    return nullptr;
  });
}

kiln_status_t kiln_sequence_length(kiln_session_t session, uint32_t slot, uint32_t *length) {
  return guarded("kiln_sequence_length", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_sequence_length", "session");
    if (!length)
      return nullArgument("kiln_sequence_length", "length");
    kiln_session_s::Sequence *sequence = nullptr;
    if (kiln_status_t status = activeSequence(*session, slot, &sequence))
      return status;
    *length = static_cast<uint32_t>(sequence->tokens.size());
    return nullptr;
  });
}

// ---- Steps ----

kiln_status_t kiln_prefill(kiln_session_t session, uint32_t slot, const int32_t *tokens,
                           size_t count) {
  return guarded("kiln_prefill", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_prefill", "session");
    if (!tokens && count > 0)
      return nullArgument("kiln_prefill", "tokens");
    kiln_session_s::Sequence *sequence = nullptr;
    if (kiln_status_t status = activeSequence(*session, slot, &sequence))
      return status;
    const auto start = static_cast<uint32_t>(sequence->tokens.size());
    LogitsView logits;
    if (kiln_status_t status = session->engine->prefill(slot, tokens, count, start, &logits))
      return status;
    // The engine has checked count <= max_prefill_tokens and start + count <= max_seq_len:
    // within what was reserved.
    sequence->tokens.insert(sequence->tokens.end(), tokens, tokens + count);
    session->rows.clear();
    for (size_t i = 0; i < count; ++i)
      session->rows.push_back({slot, sequence->generation, static_cast<uint32_t>(start + i)});
    session->logits = logits;
    session->hasLogits = true;
    return nullptr;
  });
}

kiln_status_t kiln_decode(kiln_session_t session, const uint32_t *slots, const int32_t *tokens,
                          size_t batch) {
  return guarded("kiln_decode", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_decode", "session");
    if (batch > 0 && !slots)
      return nullArgument("kiln_decode", "slots");
    if (batch > 0 && !tokens)
      return nullArgument("kiln_decode", "tokens");
    std::vector<DecodeToken> steps;
    steps.reserve(batch);
    for (size_t i = 0; i < batch; ++i) {
      kiln_session_s::Sequence *sequence = nullptr;
      if (kiln_status_t status = activeSequence(*session, slots[i], &sequence))
        return status;
      steps.push_back({slots[i], tokens[i], static_cast<uint32_t>(sequence->tokens.size())});
    }
    LogitsView logits;
    if (kiln_status_t status = session->engine->decode(steps, &logits))
      return status;
    // Distinct slots, each below max_seq_len (the engine's checks): within what was reserved.
    session->rows.clear();
    for (const DecodeToken &step : steps) {
      kiln_session_s::Sequence &sequence = session->sequences[step.slot];
      sequence.tokens.push_back(step.token);
      session->rows.push_back({step.slot, sequence.generation, step.position});
    }
    session->logits = logits;
    session->hasLogits = true;
    return nullptr;
  });
}

kiln_status_t kiln_logits(kiln_session_t session, const float **logits, uint32_t *rows,
                          uint32_t *vocab) {
  return guarded("kiln_logits", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_logits", "session");
    if (!logits)
      return nullArgument("kiln_logits", "logits");
    if (!session->hasLogits)
      return sessionError(*session, KILN_STATUS_FAILED_PRECONDITION,
                          "no logits yet: run kiln_prefill or kiln_decode first");
    *logits = session->logits.data;
    if (rows)
      *rows = session->logits.rows;
    if (vocab)
      *vocab = session->logits.vocab;
    return nullptr;
  });
}

// ---- Sampling ----

void kiln_sampling_params_init(kiln_sampling_params_t *params) {
  if (!params)
    return;
  std::memset(params, 0, sizeof *params);
  params->temperature = 0.0;
  params->top_k = 0;
  params->top_p = 1.0;
  params->repetition_penalty = 1.0;
  params->seed = 0;
}

kiln_status_t kiln_sample(kiln_session_t session, uint32_t row,
                          const kiln_sampling_params_t *params, int32_t *token) {
  return guarded("kiln_sample", [&]() -> kiln_status_t {
    if (!session)
      return nullArgument("kiln_sample", "session");
    if (!token)
      return nullArgument("kiln_sample", "token");
    kiln_sampling_params_t defaults;
    kiln_sampling_params_init(&defaults);
    if (!params)
      params = &defaults;
    SamplingConfig config;
    config.temperature = params->temperature;
    config.topK = params->top_k;
    config.topP = params->top_p;
    config.repetitionPenalty = params->repetition_penalty;
    config.seed = params->seed;
    if (std::string problem = config.validate(); !problem.empty())
      return error(KILN_STATUS_INVALID_ARGUMENT, "kiln_sample: " + problem);
    if (!session->hasLogits)
      return sessionError(*session, KILN_STATUS_FAILED_PRECONDITION,
                          "no logits yet: run kiln_prefill or kiln_decode first");
    if (row >= session->logits.rows)
      return sessionError(*session, KILN_STATUS_INVALID_ARGUMENT,
                          "logits row " + std::to_string(row) + " is out of range (the last " +
                              "call gave " + std::to_string(session->logits.rows) + " rows)");
    const kiln_session_s::Row owner = session->rows[row];
    kiln_session_s::Sequence &sequence = session->sequences[owner.slot];
    if (!sequence.active || sequence.generation != owner.generation)
      return sessionError(*session, KILN_STATUS_FAILED_PRECONDITION,
                          "logits row " + std::to_string(row) + " belongs to the sequence of " +
                              "slot " + std::to_string(owner.slot) + ", removed since");

    // The history the penalty sees: the sequence up to and including the row's token.
    std::vector<int32_t> prefix;
    const std::vector<int32_t> *history = &sequence.tokens;
    if (owner.position + 1 < sequence.tokens.size()) {
      prefix.assign(sequence.tokens.begin(), sequence.tokens.begin() + owner.position + 1);
      history = &prefix;
    }
    if (!sequence.sampler || !sameConfig(sequence.config, config)) {
      sequence.sampler = std::make_unique<Sampler>(config);
      sequence.config = config;
    }
    *token = sequence.sampler->sample(session->logits.row(row), session->logits.vocab, *history);
    return nullptr;
  });
}
