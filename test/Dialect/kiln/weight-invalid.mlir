// Every verifier error of kiln.weight, the kiln attributes and types, and the dialect attribute.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{'kiln.weight' op has unsupported element type 'i8' (expected f32, bf16, f16, f8E4M3FN or f8E8M0FNU)}}
kiln.weight @w : tensor<4x4xi8>

// -----

// expected-error @below {{'kiln.weight' op of type f8E4M3FN needs quant(#kiln.block_fp8<...>, scale @...)}}
kiln.weight @w : tensor<128x128xf8E4M3FN>

// -----

kiln.weight @s : tensor<1x1xf32>
// expected-error @below {{'kiln.weight' op has block quantisation but element type 'bf16'; only f8E4M3FN weights are block-quantised}}
kiln.weight @w : tensor<128x128xbf16> quant(#kiln.block_fp8<[128, 128], f32>, scale @s)

// -----

kiln.weight @s : tensor<1xf32>
// expected-error @below {{'kiln.weight' op with block quantisation must have rank 2 or more, got 1}}
kiln.weight @w : tensor<128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @s)

// -----

// The generic form can state quant without scale; the custom form cannot.
// expected-error @below {{'kiln.weight' op needs both quant and scale, or neither}}
"kiln.weight"() <{sym_name = "w", type = tensor<128x128xf8E4M3FN>, quant = #kiln.block_fp8<[128, 128], f32>}> : () -> ()

// -----

// expected-error @below {{'kiln.weight' op references unknown weight @missing}}
kiln.weight @w : tensor<128x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @missing)

// -----

// A partial last block still needs its own scale: 300 columns are 3 blocks.
kiln.weight @s : tensor<2x2xf32>
// expected-error @below {{'kiln.weight' op weight @s (block scales) has shape [2, 2], expected [2, 3]}}
kiln.weight @w : tensor<256x300xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @s)

// -----

kiln.weight @s : tensor<2x3xbf16>
// expected-error @below {{'kiln.weight' op scales @s are 'bf16' but quant says 'f32'}}
kiln.weight @w : tensor<256x300xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @s)

// -----

func.func @f() {
  // expected-error @below {{'kiln.weight' op expects parent op 'builtin.module'}}
  "kiln.weight"() <{sym_name = "w", type = tensor<4xf32>}> : () -> ()
  return
}

// -----

kiln.weight @s : tensor<1x1xf32>
// expected-error @below {{block_fp8 needs a 2-D block shape, got 1 dimensions}}
kiln.weight @w : tensor<128x128xf8E4M3FN> quant(#kiln.block_fp8<[128], f32>, scale @s)

// -----

kiln.weight @s : tensor<1x1xf32>
// expected-error @below {{block_fp8 block sizes must be positive}}
kiln.weight @w : tensor<128x128xf8E4M3FN> quant(#kiln.block_fp8<[0, 128], f32>, scale @s)

// -----

kiln.weight @s : tensor<1x1xf16>
// expected-error @below {{block_fp8 scales must be stored as f32 or f8E8M0FNU, got 'f16'}}
kiln.weight @w : tensor<128x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f16>, scale @s)

// -----

// expected-error @below {{source file must be a path relative to the checkpoint, got "/abs/model.safetensors"}}
kiln.weight @w : tensor<4xf32> source([#kiln.source<"/abs/model.safetensors", 0, 16>])

// -----

// expected-error @below {{source byte range overflows}}
kiln.weight @w : tensor<4xf32> source([#kiln.source<"model.safetensors", 18446744073709551615, 16>])

// -----

// Packed sources must add up to the weight: 2 x 4 x 8 bf16 is 128 bytes.
// expected-error @below {{'kiln.weight' op sources hold 96 bytes, but 'tensor<2x4x8xbf16>' needs 128}}
kiln.weight @w : tensor<2x4x8xbf16> source([#kiln.source<"a.safetensors", 0, 64>, #kiln.source<"b.safetensors", 0, 32>])

// -----

// expected-error @below {{'kiln.act_scale_rounding' must be a #kiln.scale_rounding, got "ue8m0"}}
module attributes {kiln.act_scale_rounding = "ue8m0"} {}

// -----

module {
  // expected-error @below {{'kiln.act_scale_rounding' is only valid on a builtin.module}}
  func.func @f() attributes {kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>} {
    return
  }
}

// -----

// expected-error @below {{unknown kiln dialect attribute 'kiln.rounding'}}
module attributes {kiln.rounding = #kiln.scale_rounding<ue8m0>} {}

// -----

// expected-error @below {{yarn factor must be at least 1, got 5.000000e-01}}
func.func @f() attributes {y = #kiln.yarn<factor = 0.5, original_max_position_embeddings = 4096, beta_fast = 32.0, beta_slow = 1.0, mscale = 1.0, mscale_all_dim = 1.0>} {
  return
}

// -----

// expected-error @below {{yarn original_max_position_embeddings must be positive}}
func.func @f() attributes {y = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 0, beta_fast = 32.0, beta_slow = 1.0, mscale = 1.0, mscale_all_dim = 1.0>} {
  return
}

// -----

// expected-error @below {{yarn needs beta_fast > beta_slow > 0}}
func.func @f() attributes {y = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096, beta_fast = 1.0, beta_slow = 32.0, mscale = 1.0, mscale_all_dim = 1.0>} {
  return
}

// -----

// expected-error @below {{yarn mscale and mscale_all_dim must not be negative}}
func.func @f() attributes {y = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096, beta_fast = 32.0, beta_slow = 1.0, mscale = -1.0, mscale_all_dim = 1.0>} {
  return
}

// -----

// expected-error @below {{mla heads, kv_lora, rope and v must be positive}}
func.func @f() attributes {s = #kiln.mla<heads = 0, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>} {
  return
}

// -----

// expected-error @below {{mla q_lora and nope must not be negative}}
func.func @f() attributes {s = #kiln.mla<heads = 4, q_lora = -1, kv_lora = 128, nope = 32, rope = 16, v = 32>} {
  return
}

// -----

// expected-error @below {{mla rope must be even, got 15}}
func.func @f() attributes {s = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 15, v = 32>} {
  return
}

// -----

// expected-error @below {{mla_indexer heads, head_dim and topk must be positive}}
func.func @f() attributes {s = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 0>} {
  return
}

// -----

// expected-error @below {{mla_indexer rope must be even and in [2, head_dim], got 64}}
func.func @f() attributes {s = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 64, topk = 8>} {
  return
}

// -----

// expected-error @below {{kv_cache layers, latent, rope and block must be positive}}
func.func @f(%c: !kiln.kv_cache<layers = 0, latent = 128, rope = 16, index = 0, block = 64, element = f32>) {
  return
}

// -----

// expected-error @below {{kv_cache index must not be negative (0: no indexer keys)}}
func.func @f(%c: !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = -1, block = 64, element = f32>) {
  return
}

// -----

// expected-error @below {{kv_cache element must be f32, bf16, f16 or f8E4M3FN, got 'i8'}}
func.func @f(%c: !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = i8>) {
  return
}

// -----

// expected-error @below {{'kiln.model' must be a dictionary, got "deepseek_v3"}}
module attributes {kiln.model = "deepseek_v3"} {}

// -----

module {
  // expected-error @below {{'kiln.model' is only valid on a builtin.module}}
  func.func @f() attributes {kiln.model = {model_type = "deepseek_v3"}} {
    return
  }
}
