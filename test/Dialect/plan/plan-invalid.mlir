// Every verifier error of the kiln_plan ops.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{'kiln_plan.entry' op max_tokens must be positive}}
kiln_plan.entry @e max_tokens 0 arena 64 peak 64 logits #kiln_plan.ref<arena, "", 0, 0, 64> rank 0 {
}

// -----

// expected-error @below {{'kiln_plan.entry' op peak live bytes exceed the arena}}
kiln_plan.entry @e max_tokens 1 arena 64 peak 128 logits #kiln_plan.ref<arena, "", 0, 0, 64> rank 0 {
}

// -----

// expected-error @below {{'kiln_plan.entry' op logits must live in the arena}}
kiln_plan.entry @e max_tokens 1 arena 64 peak 64 logits #kiln_plan.ref<input, "", 0, 0, 64> rank 0 {
}

// -----

// expected-error @below {{'kiln_plan.entry' op arena reference [64, 128) lies outside the arena of 64 bytes}}
kiln_plan.entry @e max_tokens 1 arena 64 peak 64 logits #kiln_plan.ref<arena, "", 0, 64, 64> rank 0 {
}

// -----

// expected-error @below {{'kiln_plan.entry' op arena offset 32 is not 64-byte aligned}}
kiln_plan.entry @e max_tokens 1 arena 128 peak 64 logits #kiln_plan.ref<arena, "", 0, 32, 64> rank 0 {
}

// -----

// expected-error @below {{'kiln_plan.entry' op buffer reference has no bytes}}
kiln_plan.entry @e max_tokens 1 arena 128 peak 64 logits #kiln_plan.ref<arena, "", 0, 0, 0> rank 0 {
}

// -----

func.func @k(%n: index, %wg: index, %wgs: index) attributes {kiln_plan.kernel} {
  return
}
kiln_plan.entry @e max_tokens 1 arena 64 peak 64 logits #kiln_plan.ref<arena, "", 0, 0, 64> rank 0 {
  // expected-error @below {{'kiln_plan.launch' op grid must be positive}}
  kiln_plan.launch @k grid 0 []
}

// -----

kiln_plan.entry @e max_tokens 1 arena 64 peak 64 logits #kiln_plan.ref<arena, "", 0, 0, 64> rank 0 {
  // expected-error @below {{'kiln_plan.launch' op kernel @missing is not defined}}
  kiln_plan.launch @missing grid 1 []
}

// -----

func.func @k(%n: index, %wg: index, %wgs: index) attributes {kiln_plan.kernel} {
  return
}
kiln_plan.entry @e max_tokens 1 arena 64 peak 64 logits #kiln_plan.ref<arena, "", 0, 0, 64> rank 0 {
  // expected-error @below {{'kiln_plan.launch' op weight and constant references need a symbol name}}
  kiln_plan.launch @k grid 1 [#kiln_plan.ref<weight, "", 0, 0, 64>]
}

// -----

// expected-error @below {{'kiln_plan.rope_table' op dim must be positive and even}}
kiln_plan.rope_table @rope dim 15 positions 256 theta 1.0e4 factor 1.0 original 0
    beta_fast 32.0 beta_slow 1.0 attention_factor 1.0

// -----

// expected-error @below {{'kiln_plan.rope_table' op positions must be positive}}
kiln_plan.rope_table @rope dim 16 positions 0 theta 1.0e4 factor 1.0 original 0
    beta_fast 32.0 beta_slow 1.0 attention_factor 1.0

// -----

// expected-error @below {{'kiln_plan.kv_cache' op every size must be positive}}
kiln_plan.kv_cache layers 0 latent 64 rope 16 block 64 blocks 32 max_seq_len 256 max_batch 8

// -----

// expected-error @below {{'kiln_plan.kv_cache' op has 2 blocks, fewer than one sequence of 256 tokens needs}}
kiln_plan.kv_cache layers 3 latent 64 rope 16 block 64 blocks 2 max_seq_len 256 max_batch 8
