//===- ExamplePasses.td - the example plugin's passes ----------------------===//
//
// Declared like Kiln's own passes (passes/Passes.td): mlir-tblgen -gen-pass-decls turns each
// def into a base class (impl::ExampleFuseAddNormBase), an options struct, a create function
// and a registration function; this project's CMakeLists.txt runs it through mlir_tablegen.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLE_PASSES_TD
#define KILN_EXAMPLE_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExampleFuseAddNorm : Pass<"example-fuse-add-norm"> {
  let summary = "Fuse a residual kiln.add and the kiln.rms_norm of its result (plugin example)";
  let description = [{
    The worked example of passes/README.md, "Write your own fusion pass": the fusion
    `kiln-fuse-residual-norm` does, written as a rewrite pattern in an out-of-tree plugin.
    `kiln.rms_norm(kiln.add(a, b))` becomes one `kiln.add_rms_norm` that yields the sum (the
    residual stream, still read by the next residual add) and its norm. The add may have other
    users; a norm of anything else, or of an add in another block, is left alone.

    Before:
    ```mlir
    %h1 = kiln.add %h, %attn : tensor<?x256xf32>
    %n = kiln.rms_norm %h1, @post_attention_layernorm : tensor<?x256xf32>
    ```
    After:
    ```mlir
    %h1, %n = kiln.add_rms_norm %h, %attn, @post_attention_layernorm : tensor<?x256xf32>
    ```
  }];
  // The pass creates kiln ops: the pass manager loads the dialect before it runs.
  let dependentDialects = ["::kiln::KilnDialect"];
}

#endif // KILN_EXAMPLE_PASSES_TD
