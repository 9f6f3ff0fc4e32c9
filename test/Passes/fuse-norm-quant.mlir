// RUN: kiln-opt %s -split-input-file --kiln-fuse-norm-quant | FileCheck %s

kiln.weight @norm : tensor<256xf32>
// The float norm has another user (a router): the fused op keeps it as a result.
// CHECK-LABEL: func.func @norm_quant
func.func @norm_quant(%h: tensor<?x256xf32>) -> (tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x2xf32>) {
  // CHECK-NEXT: %[[N:.*]], %[[Q:.*]], %[[S:.*]] = kiln.rms_norm_quant %{{.*}}, @norm {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  // CHECK-NEXT: return %[[N]], %[[Q]], %[[S]]
  %n = kiln.rms_norm %h, @norm {epsilon = 1.0e-5 : f32} : tensor<?x256xf32>
  %q, %s = kiln.act_quant %n : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  return %n, %q, %s : tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
}

// -----

kiln.weight @norm : tensor<256xf32>
// After kiln-fuse-residual-norm: the residual add, the norm and the quantisation in one op.
// CHECK-LABEL: func.func @add_norm_quant
func.func @add_norm_quant(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> (tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x2xf32>) {
  // CHECK-NEXT: %[[SUM:.*]], %{{.*}}, %[[Q:.*]], %[[S:.*]] = kiln.add_rms_norm_quant %{{.*}}, %{{.*}}, @norm : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  // CHECK-NEXT: return %[[SUM]], %[[Q]], %[[S]]
  %s, %n = kiln.add_rms_norm %h, %f, @norm : tensor<?x256xf32>
  %q, %sc = kiln.act_quant %n : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  return %s, %q, %sc : tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
}

// -----

kiln.weight @norm : tensor<256xf32>
// Negative: the quantised value is the residual sum, not the norm; and a quantisation of
// something that is no norm.
// CHECK-LABEL: func.func @not_a_norm
func.func @not_a_norm(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> (tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x256xf8E4M3FN>) {
  // CHECK-NOT: _quant
  // CHECK: kiln.add_rms_norm
  // CHECK-NEXT: kiln.act_quant
  // CHECK-NEXT: kiln.add
  // CHECK-NEXT: kiln.act_quant
  %s, %n = kiln.add_rms_norm %h, %f, @norm : tensor<?x256xf32>
  %q, %sc = kiln.act_quant %s : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  %a = kiln.add %h, %f : tensor<?x256xf32>
  %q2, %sc2 = kiln.act_quant %a : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  return %n, %q, %q2 : tensor<?x256xf32>, tensor<?x256xf8E4M3FN>, tensor<?x256xf8E4M3FN>
}

// -----

kiln.weight @norm : tensor<256xf32>
// Negative: a norm in another block than its quantisation.
// CHECK-LABEL: func.func @other_block
func.func @other_block(%h: tensor<?x256xf32>, %c: i1) -> tensor<?x256xf32> {
  // CHECK: kiln.rms_norm %
  // CHECK: kiln.act_quant
  %n = kiln.rms_norm %h, @norm : tensor<?x256xf32>
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  %q, %s = kiln.act_quant %n : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  cf.br ^bb2
^bb2:
  return %n : tensor<?x256xf32>
}
