// kiln-opt registers the kiln dialect beside the upstream dialects Kiln lowers through.
// RUN: kiln-opt --help | FileCheck %s
// CHECK: Available Dialects:
// CHECK-SAME: gpu
// CHECK-SAME: kiln
// CHECK-SAME: linalg
// CHECK-SAME: llvm
// CHECK-SAME: nvgpu
// CHECK-SAME: nvvm
// CHECK-SAME: tensor
// CHECK-SAME: vector
