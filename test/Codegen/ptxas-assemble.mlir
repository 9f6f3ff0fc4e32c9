// The same module assembled by the CUDA toolkit's ptxas (MLIR calls it for format=bin) into a
// cubin for every target Kiln ships. UNSUPPORTED without ptxas, an error with
// KILN_REQUIRE_PTXAS=1 (see lit.cfg.py).
// REQUIRES: ptxas
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_90a features=+ptx80 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=bin toolkit=%cuda_root})' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_89 features=+ptx84 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=bin toolkit=%cuda_root})' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_80 features=+ptx80 O=3}, gpu.module(convert-gpu-to-nvvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=bin toolkit=%cuda_root})' | FileCheck %s

// A cubin is an ELF file.
// CHECK: gpu.binary @kernels
// CHECK-SAME: bin = "\7FELF

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scale(%buf: memref<1024xf32>, %s: f32) kernel {
      %tid = gpu.thread_id x
      %v = memref.load %buf[%tid] : memref<1024xf32>
      %r = arith.mulf %v, %s : f32
      memref.store %r, %buf[%tid] : memref<1024xf32>
      gpu.return
    }
  }
}
