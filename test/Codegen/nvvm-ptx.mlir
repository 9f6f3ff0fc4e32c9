// kiln-opt carries MLIR's NVVM path: a gpu.module lowers through nvvm to PTX for each target
// Kiln ships (LLVM's NVPTX backend; no ptxas needed).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_90a features=+ptx80 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' | FileCheck %s --check-prefix=SM90A
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_89 features=+ptx84 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' | FileCheck %s --check-prefix=SM89
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_80 features=+ptx80 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' | FileCheck %s --check-prefix=SM80

// SM90A: gpu.binary @kernels
// SM90A-SAME: .target sm_90a
// SM90A-SAME: .entry scale(
// SM90A-SAME: mul.rn.f32
// SM89: .target sm_89
// SM80: .target sm_80

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scale(%buf: memref<1024xf32>, %s: f32) kernel {
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %v = memref.load %buf[%i] : memref<1024xf32>
      %r = arith.mulf %v, %s : f32
      memref.store %r, %buf[%i] : memref<1024xf32>
      gpu.return
    }
  }
}
