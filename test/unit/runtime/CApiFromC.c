/* CApiFromC.c - the C API called from C90 (compiled with -std=c90 -pedantic-errors): the header
 * is valid C89/C90, and a C caller can open, create, add, prefill in chunks, decode and sample.
 * CApiTest.cpp drives it. */
#include "kiln_runtime.h"

#include <stddef.h>

/* Greedy generation of `count` tokens after `prompt` with a fresh session of the artifact at
 * `path`; the first error is returned. */
kiln_status_t kiln_test_c_generate(const char *path, const int32_t *prompt, size_t prompt_length,
                                   size_t count, int32_t *out) {
  kiln_artifact_t artifact = NULL;
  kiln_session_t session = NULL;
  kiln_session_options_t options;
  kiln_sampling_params_t greedy;
  kiln_status_t status;
  uint32_t slot = 0, chunk = 0, rows = 0, vocab = 0;
  const float *logits = NULL;
  size_t done, i;

  kiln_session_options_init(&options);
  options.threads = 2;
  kiln_sampling_params_init(&greedy);
  status = kiln_artifact_open(path, &artifact);
  if (!status)
    status = kiln_session_create(artifact, &options, &session);
  /* The session keeps the artifact: the handle can go now. */
  kiln_artifact_close(artifact);
  if (!status)
    status = kiln_sequence_add(session, &slot);
  if (!status)
    status = kiln_session_max_prefill_tokens(session, &chunk);
  for (done = 0; !status && done < prompt_length; done += chunk) {
    size_t n = prompt_length - done < chunk ? prompt_length - done : chunk;
    status = kiln_prefill(session, slot, prompt + done, n);
  }
  for (i = 0; !status && i < count; ++i) {
    status = kiln_logits(session, &logits, &rows, &vocab);
    if (!status)
      status = kiln_sample(session, rows - 1, &greedy, &out[i]);
    if (!status && i + 1 < count)
      status = kiln_decode(session, &slot, &out[i], 1);
  }
  kiln_session_destroy(session);
  return status;
}
