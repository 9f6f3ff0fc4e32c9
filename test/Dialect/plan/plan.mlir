// The kiln_plan ops round-trip in custom, generic and bytecode form.
// RUN: kiln-opt %s | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

// CHECK-LABEL: kiln_plan.rope_table @rope dim 16 positions 256 theta 1.000000e+04 factor 4.000000e+01 original 256
kiln_plan.rope_table @rope dim 16 positions 256 theta 1.0e4 factor 40.0 original 256
    beta_fast 32.0 beta_slow 1.0 attention_factor 1.0
// CHECK: kiln_plan.kv_cache layers 3 latent 64 rope 16 block 64 blocks 32 max_seq_len 256 max_batch 8
kiln_plan.kv_cache layers 3 latent 64 rope 16 block 64 blocks 32 max_seq_len 256 max_batch 8

kiln.weight @w : tensor<4x8xbf16>
func.func @k(%x: memref<8x8xf32>, %w: memref<4x8xbf16>, %n: index, %wg: index, %wgs: index)
    attributes {kiln_plan.kernel} {
  return
}

// CHECK: kiln_plan.entry @decode max_tokens 8 arena 4096 peak 2048 logits <arena, "", 0, 2048, 128> rank 0 {
// CHECK-NEXT: kiln_plan.launch @k grid 8 [#kiln_plan.ref<arena, "", 0, 0, 256>, #kiln_plan.ref<weight, "w", 0, 0, 64>]
kiln_plan.entry @decode max_tokens 8 arena 4096 peak 2048
    logits #kiln_plan.ref<arena, "", 0, 2048, 128> rank 0 {
  kiln_plan.launch @k grid 8 [#kiln_plan.ref<arena, "", 0, 0, 256>, #kiln_plan.ref<weight, "w", 0, 0, 64>]
}
