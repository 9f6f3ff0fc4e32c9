// RUN: kiln-opt %s -split-input-file --kiln-fuse-swiglu-quant | FileCheck %s

// CHECK-LABEL: func.func @swiglu_quant
func.func @swiglu_quant(%g: tensor<?x300xf32>, %u: tensor<?x300xf32>) -> (tensor<?x300xf8E4M3FN>, tensor<?x3xf32>) {
  // CHECK-NEXT: %[[Q:.*]], %[[S:.*]] = kiln.swiglu_quant %{{.*}}, %{{.*}} : tensor<?x300xf32> -> tensor<?x300xf8E4M3FN>, tensor<?x3xf32>
  // CHECK-NEXT: return %[[Q]], %[[S]]
  %a = kiln.swiglu %g, %u : tensor<?x300xf32>
  %q, %s = kiln.act_quant %a : tensor<?x300xf32> -> tensor<?x300xf8E4M3FN>, tensor<?x3xf32>
  return %q, %s : tensor<?x300xf8E4M3FN>, tensor<?x3xf32>
}

// -----

// Negative: the float activation is read elsewhere, so it must still be written.
// CHECK-LABEL: func.func @float_also_used
func.func @float_also_used(%g: tensor<?x128xf32>, %u: tensor<?x128xf32>) -> (tensor<?x128xf32>, tensor<?x128xf8E4M3FN>) {
  // CHECK-NOT: kiln.swiglu_quant
  // CHECK: kiln.swiglu %
  // CHECK-NEXT: kiln.act_quant
  %a = kiln.swiglu %g, %u : tensor<?x128xf32>
  %q, %s = kiln.act_quant %a : tensor<?x128xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf32>
  return %a, %q : tensor<?x128xf32>, tensor<?x128xf8E4M3FN>
}

// -----

// Negative: a quantisation of something else.
// CHECK-LABEL: func.func @not_swiglu
func.func @not_swiglu(%g: tensor<?x128xf32>, %u: tensor<?x128xf32>) -> tensor<?x128xf8E4M3FN> {
  // CHECK-NOT: kiln.swiglu_quant
  // CHECK: kiln.add
  // CHECK-NEXT: kiln.act_quant
  %a = kiln.add %g, %u : tensor<?x128xf32>
  %q, %s = kiln.act_quant %a : tensor<?x128xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf32>
  return %q : tensor<?x128xf8E4M3FN>
}
