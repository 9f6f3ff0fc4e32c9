//===- Passes.td - Kiln's passes -------------------------------------------===//
//
// Grouped by what they work on, alphabetical within a group. Each pass lives in the .cpp file
// named after it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Lowering support
//===----------------------------------------------------------------------===//

def ExpandF8 : Pass<"kiln-expand-f8"> {
  let summary = "Expand f8E4M3FN extf/truncf/constants into integer arithmetic";
  let description = [{
    MLIR 22 lowers no f8 `arith.extf`/`arith.truncf` to LLVM (LLVM IR has no f8 type; f8 memrefs
    become i8), and sm_80 has no f8 conversion instruction. This pass rewrites them, scalar or
    vector, into bitcasts and integer operations:

    - `arith.extf` from f8E4M3FN: exact. Normal codes rebias the exponent, subnormals are
      `m * 2^-9`, the two NaN codes give a quiet NaN with the sign. Results wider or narrower
      than f32 (f16, bf16, f64) go through f32, which is exact for every e4m3 value.
    - `arith.truncf` to f8E4M3FN from f32 (f16 and bf16 are widened to f32 first, exactly):
      round to nearest, ties to even, saturating like PTX's `cvt.rn.satfinite`: every finite
      value or infinity beyond 448 becomes ±448, NaN stays NaN.
    - `arith.constant` of f8E4M3FN: the same bits as an i8 constant.

    Before:
    ```mlir
    %f = arith.extf %x : f8E4M3FN to f32
    ```
    After (abridged):
    ```mlir
    %b = arith.bitcast %x : f8E4M3FN to i8
    %u = arith.extui %b : i8 to i32
    ...
    %f = arith.bitcast %bits : i32 to f32
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // KILN_PASSES_TD
