// Round trip of kiln.weight and the model-level attribute: custom form, generic form, bytecode.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

// CHECK: module attributes {kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>, kiln.model = {bos_token_id = 0 : i64, model_type = "deepseek_v3"}}
module attributes {kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>,
                   kiln.model = {model_type = "deepseek_v3", bos_token_id = 0 : i64}} {
  // CHECK: kiln.weight @embed_tokens.weight : tensor<512x256xbf16>
  kiln.weight @embed_tokens.weight : tensor<512x256xbf16>

  // CHECK: kiln.weight @layers.1.mlp.down_proj.weight_scale_inv : tensor<2x1xf32>
  // CHECK-NEXT: kiln.weight @layers.1.mlp.down_proj.weight : tensor<256x100xf8E4M3FN>
  // CHECK-SAME: quant(#kiln.block_fp8<[128, 128], f32>, scale @layers.1.mlp.down_proj.weight_scale_inv)
  // CHECK-SAME: source([#kiln.source<"model-00001-of-000002.safetensors", 4096, 25600>])
  kiln.weight @layers.1.mlp.down_proj.weight_scale_inv : tensor<2x1xf32>
  kiln.weight @layers.1.mlp.down_proj.weight : tensor<256x100xf8E4M3FN>
      quant(#kiln.block_fp8<[128, 128], f32>, scale @layers.1.mlp.down_proj.weight_scale_inv)
      source([#kiln.source<"model-00001-of-000002.safetensors", 4096, 25600>])

  // Packed experts: scales per expert, e8m0 storage.
  // CHECK: kiln.weight @layers.1.mlp.experts.gate : tensor<16x64x256xf8E4M3FN>
  // CHECK-SAME: quant(#kiln.block_fp8<[128, 128], f8E8M0FNU>, scale @layers.1.mlp.experts.gate.scale)
  kiln.weight @layers.1.mlp.experts.gate.scale : tensor<16x1x2xf8E8M0FNU>
  kiln.weight @layers.1.mlp.experts.gate : tensor<16x64x256xf8E4M3FN>
      quant(#kiln.block_fp8<[128, 128], f8E8M0FNU>, scale @layers.1.mlp.experts.gate.scale)

  // Two experts packed from two byte ranges (the declarative layout transform).
  // CHECK: kiln.weight @layers.2.mlp.experts.down : tensor<2x4x8xbf16> source([#kiln.source<"a.safetensors", 64, 64>, #kiln.source<"b.safetensors", 1024, 64>])
  kiln.weight @layers.2.mlp.experts.down : tensor<2x4x8xbf16>
      source([#kiln.source<"a.safetensors", 64, 64>, #kiln.source<"b.safetensors", 1024, 64>])

  // CHECK: kiln.weight @layers.1.mlp.gate.e_score_correction_bias : tensor<16xf32>
  kiln.weight @layers.1.mlp.gate.e_score_correction_bias : tensor<16xf32>
}
