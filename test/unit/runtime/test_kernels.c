/* test_kernels.c - the hand-made model's kernels (TestModel.h), in the CPU kernel ABI:
 *   void symbol(void *const *args, int64_t num_tokens, int64_t workgroup, int64_t workgroups)
 * Built as a MODULE library that the tests embed as an artifact's code section. Each workgroup
 * takes every `workgroups`-th item, as generated kernels share out their grid. */
#include "TestModel.h"

#include <stdint.h>

#define D KILN_TEST_HIDDEN
#define V KILN_TEST_VOCAB
#define BS KILN_TEST_BLOCK_SIZE
#define BPS KILN_TEST_BLOCKS_PER_SEQ

/* The cache entry of (slot, position) in a pool, through the block table. */
static float *entry(float *pool, const int32_t *table, int32_t slot, int32_t position) {
  int32_t block = table[slot * BPS + position / BS];
  return pool + ((int64_t)block * BS + position % BS) * D;
}

/* args: 0 token ids (input 0), 1 embedding [V, D] (weight), 2 scale [1] (constant),
 *       3 h [T, D] (arena) */
void kiln_test_embed(void *const *args, int64_t n, int64_t workgroup, int64_t workgroups) {
  const int32_t *tokens = (const int32_t *)args[0];
  const float *embedding = (const float *)args[1];
  const float *scale = (const float *)args[2];
  float *h = (float *)args[3];
  for (int64_t t = workgroup; t < n; t += workgroups)
    for (int d = 0; d < D; ++d)
      h[t * D + d] = embedding[tokens[t] * D + d] * scale[0];
}

/* args: 0 h [T, D] (arena), 1 positions (input 1), 2 slots (input 2), 3 block table,
 *       4 KV pool, 5 coefficient [1] (constant) */
void kiln_test_kv_write(void *const *args, int64_t n, int64_t workgroup, int64_t workgroups) {
  const float *h = (const float *)args[0];
  const int32_t *positions = (const int32_t *)args[1];
  const int32_t *slots = (const int32_t *)args[2];
  const int32_t *table = (const int32_t *)args[3];
  float *pool = (float *)args[4];
  const float *coefficient = (const float *)args[5];
  for (int64_t t = workgroup; t < n; t += workgroups) {
    float *e = entry(pool, table, slots[t], positions[t]);
    for (int d = 0; d < D; ++d)
      e[d] = h[t * D + d] * (float)(positions[t] + 1) * coefficient[0];
  }
}

/* args: 0 positions, 1 slots, 2 block table, 3 KV pool of layer 0, 4 KV pool of layer 1,
 *       5 lm_head [D, V] (weight), 6 logits [T, V] (arena) */
void kiln_test_logits(void *const *args, int64_t n, int64_t workgroup, int64_t workgroups) {
  const int32_t *positions = (const int32_t *)args[0];
  const int32_t *slots = (const int32_t *)args[1];
  const int32_t *table = (const int32_t *)args[2];
  float *pool0 = (float *)args[3];
  float *pool1 = (float *)args[4];
  const float *lmHead = (const float *)args[5];
  float *logits = (float *)args[6];
  for (int64_t i = workgroup; i < n * V; i += workgroups) {
    int64_t t = i / V, v = i % V;
    float context[D] = {0};
    for (int32_t p = 0; p <= positions[t]; ++p) {
      const float *e0 = entry(pool0, table, slots[t], p);
      const float *e1 = entry(pool1, table, slots[t], p);
      for (int d = 0; d < D; ++d)
        context[d] += e0[d] + e1[d];
    }
    float logit = 0;
    for (int d = 0; d < D; ++d)
      logit += context[d] * lmHead[d * V + v];
    logits[i] = logit;
  }
}
