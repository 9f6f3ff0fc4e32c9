/* TestModel.h - the shapes of the hand-made model the runtime tests run (C and C++).
 *
 * A stand-in for generated code until the compiler emits it: tokens are embedded and scaled,
 * written into two layers' paged KV pools (weighted by position + 1), and the "logits" of a
 * token are lm_head applied to the sum of both layers' cache entries at every position up to
 * its own. So every logit depends on the token's whole history through the block table, and a
 * wrong block, position, slot, workgroup split or missing barrier changes the numbers. */
#ifndef KILN_TEST_UNIT_RUNTIME_TESTMODEL_H
#define KILN_TEST_UNIT_RUNTIME_TESTMODEL_H

#define KILN_TEST_VOCAB 16
#define KILN_TEST_HIDDEN 8
#define KILN_TEST_LAYERS 2
#define KILN_TEST_BLOCK_SIZE 4
#define KILN_TEST_BLOCKS_PER_SEQ 8 /* max_seq_len 32 */

#endif /* KILN_TEST_UNIT_RUNTIME_TESTMODEL_H */
