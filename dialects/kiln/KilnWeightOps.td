//===- KilnWeightOps.td - kiln.weight, the weight symbol --------------------===//

#ifndef KILN_WEIGHT_OPS_TD
#define KILN_WEIGHT_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_WeightOp : Kiln_Op<"weight", [
    Symbol, HasParent<"::mlir::ModuleOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a model weight: name, dtype, shape and quantisation, never bytes";
  let description = [{
    Declares one checkpoint tensor (after any declarative layout transform) as a module-level
    symbol. Graph ops name weights by symbol; the IR never holds their bytes, which the artifact
    writer streams from `source`: byte ranges of checkpoint files (relative to the checkpoint
    directory) whose concatenation, in order, is the weight. One range is a plain tensor; several
    pack per-expert tensors (or slices of a fused one) into one `[experts, ...]` weight.

    An `f8E4M3FN` weight must say how it is scaled: `quant` gives the block shape over its last
    two dimensions and the scale storage type, and `scale` names the weight holding the scales,
    whose shape is the leading dimensions followed by `ceil(dim / block)` for the last two.

    ```mlir
    kiln.weight @layers.3.mlp.down_proj.weight_scale_inv : tensor<56x16xf32>
    kiln.weight @layers.3.mlp.down_proj.weight : tensor<7168x2048xf8E4M3FN>
        quant(#kiln.block_fp8<[128, 128], f32>, scale @layers.3.mlp.down_proj.weight_scale_inv)
        source([#kiln.source<"model-00003-of-000163.safetensors", 1048576, 14680064>])
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyStaticShapeTensor>:$type,
                       OptionalAttr<Kiln_BlockFP8Attr>:$quant,
                       OptionalAttr<FlatSymbolRefAttr>:$scale,
                       OptionalAttr<TypedArrayAttrBase<Kiln_SourceAttr,
                           "checkpoint byte ranges">>:$source);
  let assemblyFormat = [{
    $sym_name `:` $type
    (`quant` `(` qualified($quant)^ `,` `scale` $scale `)`)?
    (`source` `(` $source^ `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

#endif // KILN_WEIGHT_OPS_TD
