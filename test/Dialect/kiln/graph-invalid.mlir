// Every verifier error of the graph ops.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

kiln.weight @embed : tensor<512x256xf32>
func.func @f(%t: tensor<8xi32>) {
  // expected-error @below {{'kiln.embed' op result has 4 rows, input has 8}}
  %h = kiln.embed %t, @embed : tensor<8xi32> -> tensor<4x256xf32>
  return
}

// -----

kiln.weight @embed : tensor<512x128xf32>
func.func @f(%t: tensor<?xi32>) {
  // expected-error @below {{'kiln.embed' op weight @embed (table) has shape [512, 128], expected [?, 256]}}
  %h = kiln.embed %t, @embed : tensor<?xi32> -> tensor<?x256xf32>
  return
}

// -----

kiln.weight @embed.s : tensor<4x2xf32>
kiln.weight @embed : tensor<512x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @embed.s)
func.func @f(%t: tensor<?xi32>) {
  // expected-error @below {{'kiln.embed' op weight @embed (table) must not be FP8}}
  %h = kiln.embed %t, @embed : tensor<?xi32> -> tensor<?x256xf32>
  return
}

// -----

func.func @f(%t: tensor<?xi32>) {
  // expected-error @below {{'kiln.embed' op references unknown weight @nowhere}}
  %h = kiln.embed %t, @nowhere : tensor<?xi32> -> tensor<?x256xf32>
  return
}

// -----

kiln.weight @norm : tensor<256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.rms_norm' op epsilon must be positive, got 0}}
  %n = kiln.rms_norm %x, @norm {epsilon = 0.0 : f32} : tensor<?x256xf32>
  return
}

// -----

kiln.weight @norm : tensor<128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.rms_norm' op weight @norm (norm) has shape [128], expected [256]}}
  %n = kiln.rms_norm %x, @norm : tensor<?x256xf32>
  return
}

// -----

kiln.weight @w.s : tensor<4x2xf32>
kiln.weight @w : tensor<512x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @w.s)
func.func @f(%x: tensor<?x256xf8E4M3FN>) {
  // expected-error @below {{'kiln.linear' op an f8E4M3FN input needs its per-token scales (`scale %s`)}}
  %y = kiln.linear %x, @w : tensor<?x256xf8E4M3FN> -> tensor<?x512xf32>
  return
}

// -----

kiln.weight @w : tensor<512x256xf32>
func.func @f(%x: tensor<?x256xf32>, %s: tensor<?x2xf32>) {
  // expected-error @below {{'kiln.linear' op input scales are only valid with an f8E4M3FN input}}
  %y = kiln.linear %x scale %s, @w : tensor<?x256xf32>, tensor<?x2xf32> -> tensor<?x512xf32>
  return
}

// -----

kiln.weight @w : tensor<512x256xf32>
func.func @f(%x: tensor<8x256xf32>) {
  // expected-error @below {{'kiln.linear' op result has 7 rows, input has 8}}
  %y = kiln.linear %x, @w : tensor<8x256xf32> -> tensor<7x512xf32>
  return
}

// -----

kiln.weight @w.s : tensor<4x2xf32>
kiln.weight @w : tensor<512x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @w.s)
func.func @f(%x: tensor<?x256xf8E4M3FN>, %s: tensor<?x3xf32>) {
  // expected-error @below {{'kiln.linear' op input scale has shape [?, 3], expected [?, 2]}}
  %y = kiln.linear %x scale %s, @w : tensor<?x256xf8E4M3FN>, tensor<?x3xf32> -> tensor<?x512xf32>
  return
}

// -----

kiln.weight @w : tensor<512x256xbf16>
func.func @f(%x: tensor<?x256xf8E4M3FN>, %s: tensor<?x2xf32>) {
  // expected-error @below {{'kiln.linear' op a quantised input needs an f8E4M3FN weight, @w is 'bf16'}}
  %y = kiln.linear %x scale %s, @w : tensor<?x256xf8E4M3FN>, tensor<?x2xf32> -> tensor<?x512xf32>
  return
}

// -----

kiln.weight @w : tensor<512x128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.linear' op weight @w (weight) has shape [512, 128], expected [512, 256]}}
  %y = kiln.linear %x, @w : tensor<?x256xf32> -> tensor<?x512xf32>
  return
}

// -----

func.func @f(%x: tensor<16xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.rope' op input must be [tokens, rope] or [tokens, heads, rope], got rank 1}}
  %r = kiln.rope %x, %p {layout = #kiln.rope_layout<half>, theta = 10000.0 : f64} : tensor<16xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<?x15xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.rope' op rotary dimension must be static and even, got 15}}
  %r = kiln.rope %x, %p {layout = #kiln.rope_layout<half>, theta = 10000.0 : f64} : tensor<?x15xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.rope' op theta must be positive, got -1}}
  %r = kiln.rope %x, %p {layout = #kiln.rope_layout<half>, theta = -1.0 : f64} : tensor<?x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<4x16xf32>, %p: tensor<5xi32>) {
  // expected-error @below {{'kiln.rope' op positions has 5 rows, input has 4}}
  %r = kiln.rope %x, %p {layout = #kiln.rope_layout<half>, theta = 10000.0 : f64} : tensor<4x16xf32>, tensor<5xi32>
  return
}

// -----

func.func @f(%a: tensor<?x16xf32>, %b: tensor<?x32xf32>) {
  // expected-error @below {{'kiln.swiglu' op requires the same type for all operands and results}}
  %r = "kiln.swiglu"(%a, %b) : (tensor<?x16xf32>, tensor<?x32xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%a: tensor<?x16xf32>, %b: tensor<?x16xbf16>) {
  // expected-error @below {{'kiln.add' op requires the same type for all operands and results}}
  %r = "kiln.add"(%a, %b) : (tensor<?x16xf32>, tensor<?x16xbf16>) -> tensor<?x16xf32>
  return
}

// -----

kiln.weight @head : tensor<512x256xf32>
func.func @f(%x: tensor<4x256xf32>) {
  // expected-error @below {{'kiln.lm_head' op result has 2 rows, input has 4}}
  %l = kiln.lm_head %x, @head : tensor<4x256xf32> -> tensor<2x512xf32>
  return
}

// -----

kiln.weight @head : tensor<500x256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.lm_head' op weight @head (lm_head) has shape [500, 256], expected [512, 256]}}
  %l = kiln.lm_head %x, @head : tensor<?x256xf32> -> tensor<?x512xf32>
  return
}

// -----

func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.lm_head' op result #0 must be 2D tensor of 32-bit float values}}
  %l = "kiln.lm_head"(%x) <{weight = @head}> : (tensor<?x256xf32>) -> tensor<?x512xbf16>
  return
}

// -----

func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.act_quant' op quantized result has shape [?, 128], expected [?, 256]}}
  %q, %s = kiln.act_quant %x : tensor<?x256xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x2xf32>
  return
}

// -----

// 300 channels are 3 blocks of 128, the last one partial.
func.func @f(%x: tensor<?x300xf32>) {
  // expected-error @below {{'kiln.act_quant' op scales has shape [?, 2], expected [?, 3]}}
  %q, %s = kiln.act_quant %x : tensor<?x300xf32> -> tensor<?x300xf8E4M3FN>, tensor<?x2xf32>
  return
}

// -----

kiln.weight @norm : tensor<256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.add_rms_norm' op epsilon must be positive, got 0}}
  %s, %n = kiln.add_rms_norm %x, %x, @norm {epsilon = 0.0 : f32} : tensor<?x256xf32>
  return
}

// -----

kiln.weight @norm : tensor<128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.add_rms_norm' op weight @norm (norm) has shape [128], expected [256]}}
  %s, %n = kiln.add_rms_norm %x, %x, @norm : tensor<?x256xf32>
  return
}

// -----

kiln.weight @norm : tensor<256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.rms_norm_quant' op scales has shape [?, 1], expected [?, 2]}}
  %n, %q, %s = kiln.rms_norm_quant %x, @norm : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x1xf32>
  return
}

// -----

kiln.weight @norm : tensor<128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.rms_norm_quant' op weight @norm (norm) has shape [128], expected [256]}}
  %n, %q, %s = kiln.rms_norm_quant %x, @norm : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  return
}

// -----

kiln.weight @norm : tensor<256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.add_rms_norm_quant' op epsilon must be positive, got 0}}
  %a, %n, %q, %s = kiln.add_rms_norm_quant %x, %x, @norm {epsilon = 0.0 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  return
}

// -----

kiln.weight @norm : tensor<256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.add_rms_norm_quant' op quantized result has shape [?, 128], expected [?, 256]}}
  %a, %n, %q, %s = kiln.add_rms_norm_quant %x, %x, @norm : tensor<?x256xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x2xf32>
  return
}

// -----

func.func @f(%g: tensor<?x300xf32>) {
  // expected-error @below {{'kiln.swiglu_quant' op scales has shape [?, 2], expected [?, 3]}}
  %q, %s = kiln.swiglu_quant %g, %g : tensor<?x300xf32> -> tensor<?x300xf8E4M3FN>, tensor<?x2xf32>
  return
}
