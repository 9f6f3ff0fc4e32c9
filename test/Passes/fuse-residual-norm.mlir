// RUN: kiln-opt %s -split-input-file --kiln-fuse-residual-norm | FileCheck %s

kiln.weight @norm : tensor<256xf32>
// The sum is still needed (the next residual add): the fused op yields it.
// CHECK-LABEL: func.func @residual
func.func @residual(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> (tensor<?x256xf32>, tensor<?x256xf32>) {
  // CHECK-NEXT: %[[SUM:.*]], %[[N:.*]] = kiln.add_rms_norm %{{.*}}, %{{.*}}, @norm {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32>
  // CHECK-NEXT: return %[[SUM]], %[[N]]
  %s = kiln.add %h, %f : tensor<?x256xf32>
  %n = kiln.rms_norm %s, @norm {epsilon = 1.0e-5 : f32} : tensor<?x256xf32>
  return %s, %n : tensor<?x256xf32>, tensor<?x256xf32>
}

// -----

kiln.weight @norm : tensor<256xf32>
// Negative: the norm's input is not an add.
// CHECK-LABEL: func.func @no_add
func.func @no_add(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> tensor<?x256xf32> {
  // CHECK-NOT: kiln.add_rms_norm
  // CHECK: kiln.swiglu
  // CHECK: kiln.rms_norm
  %s = kiln.swiglu %h, %f : tensor<?x256xf32>
  %n = kiln.rms_norm %s, @norm : tensor<?x256xf32>
  return %n : tensor<?x256xf32>
}

// -----

kiln.weight @norm : tensor<256xf32>
// Two norms of one sum: the first fuses, the second reads the fused op's sum.
// CHECK-LABEL: func.func @two_norms
func.func @two_norms(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> (tensor<?x256xf32>, tensor<?x256xf32>) {
  // CHECK-NEXT: %[[SUM:.*]], %[[N:.*]] = kiln.add_rms_norm
  // CHECK-NEXT: %[[M:.*]] = kiln.rms_norm %[[SUM]], @norm
  // CHECK-NEXT: return %[[N]], %[[M]]
  %s = kiln.add %h, %f : tensor<?x256xf32>
  %n = kiln.rms_norm %s, @norm : tensor<?x256xf32>
  %m = kiln.rms_norm %s, @norm : tensor<?x256xf32>
  return %n, %m : tensor<?x256xf32>, tensor<?x256xf32>
}
