/* kiln_runtime.h - the C API of Kiln's runtime.
 *
 * Open a compiled .kiln artifact, create a session on a device, add sequences, run prefill and
 * decode steps, read the logits and sample the next token:
 *
 *   kiln_artifact_t artifact;  kiln_session_t session;  uint32_t slot;  int32_t next;
 *   kiln_status_t status = kiln_artifact_open("model.kiln", &artifact);
 *   if (!status) status = kiln_session_create(artifact, NULL, &session);
 *   if (!status) status = kiln_sequence_add(session, &slot);
 *   if (!status) status = kiln_prefill(session, slot, prompt, prompt_len);
 *   ... rows = prompt_len: sample the last one ...
 *   if (!status) status = kiln_sample(session, prompt_len - 1, NULL, &next);
 *   if (!status) status = kiln_decode(session, &slot, &next, 1);
 *   if (status) { fprintf(stderr, "%s\n", kiln_status_message(status)); kiln_status_free(status); }
 *
 * Errors cross this boundary as status values, never as exceptions: a function that can fail
 * returns a kiln_status_t, which is NULL on success and otherwise owns a code and a message
 * (one line, naming the file and the problem) until kiln_status_free. A function that fails
 * leaves its out-parameters, the session's sequences and its last logits as they were.
 *
 * Thread safety:
 *   - kiln_artifact_t is immutable once opened: share it between threads freely, and create
 *     any number of sessions from it, on any threads at once. They share one mapping of the
 *     file, one copy of the loaded code, and the check of each section's hash.
 *   - kiln_session_t is used by one thread at a time (calls on one session must not overlap;
 *     moving a session between threads is fine). Logits pointers it returns belong to it.
 *   - Different sessions run concurrently, each on its own device threads.
 *   - kiln_status_* and kiln_runtime_version may be called from any thread.
 *
 * The header is C89 (with <stdint.h>); the library is C++ and links libstdc++. */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KILN_RUNTIME_BUILDING)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

/* ---- Status values ------------------------------------------------------------------------ */

/* Status codes; OK is zero. */
typedef enum kiln_status_code_e {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1,  /* bad input: malformed file, wrong value, NULL handle */
  KILN_STATUS_NOT_FOUND = 2,         /* a file, section, symbol or sequence that is not there */
  KILN_STATUS_UNAVAILABLE = 3,       /* a device or library this host does not have */
  KILN_STATUS_RESOURCE_EXHAUSTED = 4,/* a capacity limit or a failed allocation */
  KILN_STATUS_DATA_LOSS = 5,         /* a corrupt artifact: bad hash, truncated section */
  KILN_STATUS_UNIMPLEMENTED = 6,     /* a feature this runtime does not know */
  KILN_STATUS_INTERNAL = 7,          /* a bug in Kiln */
  KILN_STATUS_FAILED_PRECONDITION = 8/* a call out of order: logits before any step */
} kiln_status_code_t;

/* NULL means OK. */
typedef struct kiln_status_s *kiln_status_t;

/* A new status with `code` and a copy of `message`; NULL when code is KILN_STATUS_OK. */
KILN_API kiln_status_t kiln_status_make(kiln_status_code_t code, const char *message);
/* KILN_STATUS_OK for NULL. */
KILN_API kiln_status_code_t kiln_status_code(kiln_status_t status);
/* "" for NULL; valid until kiln_status_free. */
KILN_API const char *kiln_status_message(kiln_status_t status);
/* The code's name, e.g. "INVALID_ARGUMENT"; "UNKNOWN" for values outside the enum. */
KILN_API const char *kiln_status_code_name(kiln_status_code_t code);
/* Accepts NULL. */
KILN_API void kiln_status_free(kiln_status_t status);

/* The runtime's version, and the newest artifact format major.minor it reads. */
typedef struct kiln_version_s {
  int32_t major, minor, patch;
  int32_t artifact_major, artifact_minor;
} kiln_version_t;
KILN_API kiln_version_t kiln_runtime_version(void);

/* ---- Artifacts ---------------------------------------------------------------------------- */

/* An opened, verified .kiln artifact (immutable; see "Thread safety" above). */
typedef struct kiln_artifact_s *kiln_artifact_t;

/* Maps and verifies `path`: the preamble, the header's hash, the required features, every
 * section's place and every index of the code targets' plans. Section contents are hashed when
 * a session first needs them. *artifact is set only on success. */
KILN_API kiln_status_t kiln_artifact_open(const char *path, kiln_artifact_t *artifact);
/* Drops the handle; sessions created from it keep the artifact open until they are destroyed.
 * Accepts NULL. */
KILN_API void kiln_artifact_close(kiln_artifact_t artifact);

/* The model's vocabulary (logits per row; token ids are 0 .. vocab_size - 1). */
KILN_API kiln_status_t kiln_artifact_vocab_size(kiln_artifact_t artifact, uint32_t *vocab_size);
/* The longest sequence the KV cache holds (the compile's --max-seq-len). */
KILN_API kiln_status_t kiln_artifact_max_seq_len(kiln_artifact_t artifact, uint32_t *max_seq_len);
/* How many sequences a session holds at once (the compile's --max-batch). */
KILN_API kiln_status_t kiln_artifact_max_batch(kiln_artifact_t artifact, uint32_t *max_batch);

/* ---- Sessions ----------------------------------------------------------------------------- */

/* A device's state for one artifact: its KV cache, its sequences, its last logits. */
typedef struct kiln_session_s *kiln_session_t;

typedef struct kiln_session_options_s {
  /* "cpu" (NULL means "cpu"). "cuda" and "cuda:N" are not served by the C API yet. */
  const char *device;
  /* Threads of the CPU device, the caller's included; 0: $KILN_NUM_THREADS if set, else every
   * hardware thread. At most 1024. */
  uint32_t threads;
} kiln_session_options_t;

/* Fills `options` with the defaults (device "cpu", threads 0). Call it before setting fields,
 * so fields added later get their defaults. Accepts NULL. */
KILN_API void kiln_session_options_init(kiln_session_options_t *options);

/* A session over `artifact` on the device `options` names (NULL: the defaults). Loads the
 * device's code and hashes the sections its plans read (both once per artifact, whichever
 * session comes first), allocates the KV cache. *session is set only on success. */
KILN_API kiln_status_t kiln_session_create(kiln_artifact_t artifact,
                                           const kiln_session_options_t *options,
                                           kiln_session_t *session);
/* Ends every sequence and frees the session. Accepts NULL. */
KILN_API void kiln_session_destroy(kiln_session_t session);

/* Limits of one call: the most tokens one kiln_prefill takes, the most sequences one
 * kiln_decode steps. */
KILN_API kiln_status_t kiln_session_max_prefill_tokens(kiln_session_t session, uint32_t *tokens);
KILN_API kiln_status_t kiln_session_max_decode_batch(kiln_session_t session, uint32_t *batch);
/* The same values as the kiln_artifact_* queries, for a session. */
KILN_API kiln_status_t kiln_session_vocab_size(kiln_session_t session, uint32_t *vocab_size);
KILN_API kiln_status_t kiln_session_max_seq_len(kiln_session_t session, uint32_t *max_seq_len);
KILN_API kiln_status_t kiln_session_max_batch(kiln_session_t session, uint32_t *max_batch);
/* The device threads the session runs on. */
KILN_API kiln_status_t kiln_session_threads(kiln_session_t session, uint32_t *threads);

/* ---- Sequences ---------------------------------------------------------------------------- */

/* Starts an empty sequence (length 0) in the lowest free slot, 0 .. max_batch - 1.
 * RESOURCE_EXHAUSTED when all max_batch slots hold a sequence. */
KILN_API kiln_status_t kiln_sequence_add(kiln_session_t session, uint32_t *slot);
/* Ends the sequence in `slot`: its KV blocks go back to the cache, the slot is free again.
 * NOT_FOUND when no sequence is in the slot. */
KILN_API kiln_status_t kiln_sequence_remove(kiln_session_t session, uint32_t slot);
/* Tokens the sequence in `slot` holds (the position its next token takes). */
KILN_API kiln_status_t kiln_sequence_length(kiln_session_t session, uint32_t slot,
                                            uint32_t *length);

/* ---- Steps -------------------------------------------------------------------------------- */

/* Appends `count` tokens (1 .. kiln_session_max_prefill_tokens) to the sequence in `slot`,
 * at positions length .. length + count - 1; longer prompts go in several calls. The logits
 * have one row per token. Errors: an unknown slot, a token id outside the vocabulary, a
 * position past max_seq_len, a full KV cache. */
KILN_API kiln_status_t kiln_prefill(kiln_session_t session, uint32_t slot, const int32_t *tokens,
                                    size_t count);
/* One step of `batch` sequences (1 .. kiln_session_max_decode_batch, distinct slots): tokens[i]
 * is appended to the sequence in slots[i]. Logits row i belongs to slots[i]. */
KILN_API kiln_status_t kiln_decode(kiln_session_t session, const uint32_t *slots,
                                   const int32_t *tokens, size_t batch);

/* The float32 logits of the session's last successful kiln_prefill or kiln_decode, row-major
 * [rows, vocab]. The pointer is valid until the next kiln_prefill, kiln_decode or
 * kiln_session_destroy. FAILED_PRECONDITION before the first step. */
KILN_API kiln_status_t kiln_logits(kiln_session_t session, const float **logits, uint32_t *rows,
                                   uint32_t *vocab);

/* ---- Sampling ----------------------------------------------------------------------------- */

/* As Hugging Face transformers applies them: repetition penalty, temperature, top-k, top-p. */
typedef struct kiln_sampling_params_s {
  double temperature;        /* <= 0: greedy (the argmax after the repetition penalty) */
  int32_t top_k;             /* <= 0: off */
  double top_p;              /* in (0, 1]; 1: off */
  double repetition_penalty; /* > 0; 1: off */
  uint64_t seed;             /* the random stream (xoshiro256**, the same on every platform) */
} kiln_sampling_params_t;

/* Fills `params` with the defaults: greedy (temperature 0), top_k 0, top_p 1,
 * repetition_penalty 1, seed 0 (kiln-run's defaults). Accepts NULL. */
KILN_API void kiln_sampling_params_init(kiln_sampling_params_t *params);

/* Picks a token from row `row` of the last logits, with `params` (NULL: the defaults, greedy).
 * The repetition penalty sees the row's sequence up to and including the row's token. Each
 * sequence keeps its random stream: the first kiln_sample of a sequence, or one whose params
 * differ from that sequence's previous call, starts it from `seed`; the same params continue it
 * (so a sequence sampled with one set of params gives kiln-run --seed's tokens). The token is
 * not appended: pass it to kiln_decode. Errors: row out of range, invalid params, a row whose
 * sequence was removed, no logits yet. */
KILN_API kiln_status_t kiln_sample(kiln_session_t session, uint32_t row,
                                   const kiln_sampling_params_t *params, int32_t *token);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
