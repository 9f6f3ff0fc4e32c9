// REQUIRES: pass-plugin
// examples/pass-plugin's example-fuse-add-norm, loaded into kiln-opt with --load-pass-plugin
// (MLIR's option; a plugin's pass is named in --pass-pipeline, since the per-pass flags are
// fixed before the plugin is loaded). The cases of test/Passes/fuse-residual-norm.mlir, and the
// plugin's output equals the in-tree pass's on all of them.
// RUN: kiln-opt %s -split-input-file --load-pass-plugin=%pass_plugin \
// RUN:   --pass-pipeline='builtin.module(example-fuse-add-norm)' | FileCheck %s
// RUN: kiln-opt %s -split-input-file --load-pass-plugin=%pass_plugin \
// RUN:   --pass-pipeline='builtin.module(example-fuse-add-norm)' > %t.plugin.mlir
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(kiln-fuse-residual-norm)' \
// RUN:   > %t.in-tree.mlir
// RUN: diff %t.in-tree.mlir %t.plugin.mlir
// Without the plugin the pass does not exist.
// RUN: not kiln-opt %s -split-input-file --pass-pipeline='builtin.module(example-fuse-add-norm)' \
// RUN:   2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: 'example-fuse-add-norm' does not refer to a registered pass or pass pipeline

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
// Negative: the add is in another block (the pattern fuses within a block, as the in-tree pass
// does).
// CHECK-LABEL: func.func @other_block
func.func @other_block(%h: tensor<?x256xf32>, %f: tensor<?x256xf32>) -> tensor<?x256xf32> {
  // CHECK-NOT: kiln.add_rms_norm
  // CHECK: kiln.add
  // CHECK: scf.execute_region
  // CHECK: kiln.rms_norm
  %s = kiln.add %h, %f : tensor<?x256xf32>
  %n = scf.execute_region -> tensor<?x256xf32> {
    %r = kiln.rms_norm %s, @norm : tensor<?x256xf32>
    scf.yield %r : tensor<?x256xf32>
  }
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
