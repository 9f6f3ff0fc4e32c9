// The smoke kernels of scripts/gpu-check: they prove the path a Kiln kernel takes to a GPU
// (kiln-opt -> PTX/cubin -> a bundle -> cuModuleLoadData -> cuLaunchKernel -> numerics against
// a float64 CPU reference) before any real kernel depends on it.
//
// scripts/gpu-check compiles this file once per target with the pipeline of the RUN lines
// (format=bin for cubins, format=isa for PTX) and lists each kernel in the bundle's manifest
// from the BUNDLE lines: kernel, kiln-kernel-test check, shape (the memref shapes below).
// BUNDLE: scale    scale    1048576
// BUNDLE: row_dot  row_dot  2048x1024
//
// The checks launch with bare pointers (use-bare-ptr-memref-call-conv=true): a static memref
// is one device pointer, not MLIR's (allocated, aligned, offset, sizes..., strides...)
// descriptor. These RUN lines pin that ABI, as kiln-kernel-test's checks assume it.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_90a features=+ptx80 O=3}, gpu.module(convert-scf-to-cf, convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' \
// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s --check-prefix=SM90A
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_89 features=+ptx78 O=3}, gpu.module(convert-scf-to-cf, convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' \
// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s --check-prefix=SM89
// RUN: kiln-opt %s --pass-pipeline='builtin.module(nvvm-attach-target{chip=sm_80 features=+ptx70 O=3}, gpu.module(convert-scf-to-cf, convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), gpu-module-to-binary{format=isa})' \
// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s --check-prefix=SM80

// scale(x, y, s): two pointers and an f32 by value.
// SM90A: .target sm_90a
// SM90A-LABEL: .entry scale(
// SM90A-NEXT: .param .u64 .ptr .align 1 scale_param_0,
// SM90A-NEXT: .param .u64 .ptr .align 1 scale_param_1,
// SM90A-NEXT: .param .f32 scale_param_2
// SM90A-NEXT: )
// SM90A: mul.rn.f32
// row_dot(a, b, out, s): three pointers and an f32.
// SM90A-LABEL: .entry row_dot(
// SM90A-NEXT: .param .u64 .ptr .align 1 row_dot_param_0,
// SM90A-NEXT: .param .u64 .ptr .align 1 row_dot_param_1,
// SM90A-NEXT: .param .u64 .ptr .align 1 row_dot_param_2,
// SM90A-NEXT: .param .f32 row_dot_param_3
// SM90A-NEXT: )
// SM89: .version 7.8
// SM89: .target sm_89
// SM89: .entry scale(
// SM89: .entry row_dot(
// SM80: .version 7.0
// SM80: .target sm_80
// SM80: .entry scale(
// SM80: .entry row_dot(

module attributes {gpu.container_module} {
  gpu.module @smoke {
    // y[i] = x[i] * s, one thread per element.
    gpu.func @scale(%x: memref<1048576xf32>, %y: memref<1048576xf32>, %s: f32) kernel {
      %n = arith.constant 1048576 : index
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %inside = arith.cmpi ult, %i, %n : index
      scf.if %inside {
        %v = memref.load %x[%i] : memref<1048576xf32>
        %r = arith.mulf %v, %s : f32
        memref.store %r, %y[%i] : memref<1048576xf32>
      }
      gpu.return
    }

    // out[r] = s * sum_k a[r, k] * b[r, k], one thread per row.
    gpu.func @row_dot(%a: memref<2048x1024xf32>, %b: memref<2048x1024xf32>,
                      %out: memref<2048xf32>, %s: f32) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %rows = arith.constant 2048 : index
      %k = arith.constant 1024 : index
      %zero = arith.constant 0.0 : f32
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %base = arith.muli %bid, %bdim : index
      %r = arith.addi %base, %tid : index
      %inside = arith.cmpi ult, %r, %rows : index
      scf.if %inside {
        %sum = scf.for %i = %c0 to %k step %c1 iter_args(%acc = %zero) -> (f32) {
          %va = memref.load %a[%r, %i] : memref<2048x1024xf32>
          %vb = memref.load %b[%r, %i] : memref<2048x1024xf32>
          %p = arith.mulf %va, %vb : f32
          %next = arith.addf %acc, %p : f32
          scf.yield %next : f32
        }
        %v = arith.mulf %sum, %s : f32
        memref.store %v, %out[%r] : memref<2048xf32>
      }
      gpu.return
    }
  }
}
