/* generate.c - greedy generation through Kiln's C API (kiln_runtime.h), in C99.
 *
 *   kiln-generate MODEL.kiln COUNT ID [ID...]
 *
 * Opens the artifact, creates a CPU session (threads: $KILN_NUM_THREADS, else every hardware
 * thread), adds a sequence, prefills the prompt ids (in chunks of the artifact's prefill size),
 * then greedily picks COUNT tokens, feeding each back through decode, and prints their ids on
 * one line. Any error: one line on stderr, exit status 1. */
#include <kiln_runtime.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Prints a failed status and frees it; returns whether there was one. */
static int failed(kiln_status_t status) {
  if (!status)
    return 0;
  fprintf(stderr, "kiln-generate: %s (%s)\n", kiln_status_message(status),
          kiln_status_code_name(kiln_status_code(status)));
  kiln_status_free(status);
  return 1;
}

/* A decimal integer in [min, max], or -1 with a message. */
static int parse(const char *text, long min, long max, const char *what, long *out) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || end == text || *end || value < min || value > max) {
    fprintf(stderr, "kiln-generate: %s '%s' is not an integer in [%ld, %ld]\n", what, text, min,
            max);
    return -1;
  }
  *out = value;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: kiln-generate MODEL.kiln COUNT ID [ID...]\n");
    return 2;
  }
  long count = 0;
  if (parse(argv[2], 0, 1L << 20, "COUNT", &count))
    return 2;
  size_t prompt_length = (size_t)(argc - 3);
  int32_t *prompt = malloc(prompt_length * sizeof *prompt);
  if (!prompt)
    return 1;
  for (size_t i = 0; i < prompt_length; ++i) {
    long id = 0;
    if (parse(argv[3 + i], 0, INT32_MAX, "token id", &id)) {
      free(prompt);
      return 2;
    }
    prompt[i] = (int32_t)id;
  }

  int exit_code = 1;
  kiln_artifact_t artifact = NULL;
  kiln_session_t session = NULL;
  uint32_t slot = 0, chunk = 0, max_seq_len = 0;
  if (failed(kiln_artifact_open(argv[1], &artifact)))
    goto cleanup;
  /* NULL options: the CPU, default threads. */
  if (failed(kiln_session_create(artifact, NULL, &session)) ||
      failed(kiln_session_max_prefill_tokens(session, &chunk)) ||
      failed(kiln_session_max_seq_len(session, &max_seq_len)) ||
      failed(kiln_sequence_add(session, &slot)))
    goto cleanup;

  /* Each kiln_prefill continues the sequence where the last one stopped. */
  for (size_t done = 0; done < prompt_length; done += chunk) {
    size_t n = prompt_length - done < chunk ? prompt_length - done : chunk;
    if (failed(kiln_prefill(session, slot, prompt + done, n)))
      goto cleanup;
  }

  kiln_sampling_params_t greedy;
  kiln_sampling_params_init(&greedy); /* temperature 0: the argmax */
  for (long i = 0; i < count; ++i) {
    const float *logits = NULL;
    uint32_t rows = 0, vocab = 0, length = 0;
    int32_t next = 0;
    /* The last row of the last call is the newest position's. */
    if (failed(kiln_logits(session, &logits, &rows, &vocab)) ||
        failed(kiln_sample(session, rows - 1, &greedy, &next)))
      goto cleanup;
    printf(i ? " %d" : "%d", (int)next);
    if (i + 1 == count)
      break;
    if (failed(kiln_sequence_length(session, slot, &length)))
      goto cleanup;
    if (length == max_seq_len) {
      fprintf(stderr, "kiln-generate: stopped at max_seq_len (%u tokens)\n", max_seq_len);
      break;
    }
    if (failed(kiln_decode(session, &slot, &next, 1)))
      goto cleanup;
  }
  printf("\n");
  exit_code = 0;

cleanup:
  kiln_session_destroy(session);
  kiln_artifact_close(artifact);
  free(prompt);
  return exit_code;
}
