//===- KilnBase.td - the kiln dialect, its enums, attributes and types ----===//
//
// Everything the op families share. Each family (.td beside this one) includes only this file,
// so its generated op declarations and definitions hold that family's ops alone.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BASE_TD
#define KILN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "DeepSeek-family model graphs: MLA attention, MoE routing, FP8 block-scaled weights";
  let description = [{
    The model-level vocabulary of Kiln. Values are tensors; weights are module-level
    `kiln.weight` symbols that carry dtype, shape and quantisation but never bytes, and ops name
    them by symbol. Op families live in their own files and carry dotted names:
    graph ops (`kiln.embed`, `kiln.rms_norm`, `kiln.linear`, ...), routing primitives
    (`kiln.route.*`), fused MoE ops (`kiln.moe.*`) and Multi-head Latent Attention (`kiln.mla.*`).

    Conventions: activations are `[tokens, features]` (prefill flattens the sequence; decode has
    one row per sequence); attention values are `[tokens, heads, head_dim]`; positions are the
    absolute positions of those rows. Linear weights are `[out, in]` as in the checkpoint.

    A module may carry `kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>` (the checkpoint's
    `scale_fmt`): every activation quantisation in it then rounds its scales up to powers of two.
    `kiln.model` is a dictionary of model facts (model_type, sizes, special token ids,
    tokenizer, chat template) for the artifact header.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The module's model facts (model_type, sizes, special token ids, tokenizer, chat
    /// template), a dictionary the artifact writer copies into the artifact header.
    static constexpr ::llvm::StringLiteral getModelAttrName() {
      return ::llvm::StringLiteral("kiln.model");
    }
    /// The model-level attribute naming the activation-scale rounding.
    static constexpr ::llvm::StringLiteral getActScaleRoundingAttrName() {
      return ::llvm::StringLiteral("kiln.act_scale_rounding");
    }

    // One per op family; each is defined in that family's .cpp so its generated op list stays
    // in its own translation unit.
    void registerAttributes();
    void registerTypes();
    void registerGraphOps();
    void registerRoutingOps();
    void registerWeightOps();
    void registerMoEOps();
    void registerMLAOps();
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Kiln_ScaleRounding : I32EnumAttr<"ScaleRounding",
    "how activation quantisation scales are rounded", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"ue8m0", 1>
    ]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_ScaleRoundingAttr : EnumAttr<Kiln_Dialect, Kiln_ScaleRounding, "scale_rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_RopeLayout : I32EnumAttr<"RopeLayout",
    "which channels RoPE rotates together", [
      // Pairs (x[2i], x[2i+1]): MLA's layout in every DeepSeek checkpoint.
      I32EnumAttrCase<"interleaved", 0>,
      // Pairs (x[i], x[i + d/2]): the V3.2 indexer's layout.
      I32EnumAttrCase<"half", 1>
    ]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_RopeLayoutAttr : EnumAttr<Kiln_Dialect, Kiln_RopeLayout, "rope_layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_ScoringFunc : I32EnumAttr<"ScoringFunc", "router scoring function", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"sigmoid", 1>
    ]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_ScoringFuncAttr : EnumAttr<Kiln_Dialect, Kiln_ScoringFunc, "scoring"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_GroupReduce : I32EnumAttr<"GroupReduce", "how an expert group is scored", [
      // V2 group_limited_greedy: the best expert of the group.
      I32EnumAttrCase<"max", 0>,
      // V3 noaux_tc: the sum of the group's two best (bias-corrected) scores.
      I32EnumAttrCase<"top2_sum", 1>
    ]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_GroupReduceAttr : EnumAttr<Kiln_Dialect, Kiln_GroupReduce, "group_reduce"> {
  let assemblyFormat = "`<` $value `>`";
}

def Kiln_MLAForm : I32EnumAttr<"MLAForm", "how MLA attention uses kv_b_proj", [
      // W_UK folded into the query and W_UV into the output: attention over the cached latent
      // (decode; the form every entry point can run).
      I32EnumAttrCase<"absorbed", 0>,
      // kv_b_proj expands the cached latents into per-head keys and values once per call
      // (prefill of one sequence).
      I32EnumAttrCase<"naive", 1>
    ]> {
  let cppNamespace = "::kiln";
  let genSpecializedAttr = 0;
}
def Kiln_MLAFormAttr : EnumAttr<Kiln_Dialect, Kiln_MLAForm, "mla_form"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Kiln_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Kiln_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// An f64 value, printed so that it parses back to the same bits.
def Kiln_F64Parameter : AttrOrTypeParameter<"::llvm::APFloat", "a 64-bit float"> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if (::mlir::failed($_parser.parseFloat(value)))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = [{ $_printer.printFloat($_self) }];
}

def Kiln_BlockFP8Attr : Kiln_Attr<"BlockFP8", "block_fp8"> {
  let summary = "e4m3 weight quantisation with one scale per block";
  let description = [{
    The weight is `f8E4M3FN`; each `block[0] x block[1]` tile of its last two dimensions has one
    scale (`weight_scale_inv`), so `w = fp8 * scale[i / block[0], j / block[1]]`. Edge blocks are
    partial. Scales are stored as `f32` (V3, V3.1, V3.2) or `f8E8M0FNU` (later checkpoints).

    ```mlir
    #kiln.block_fp8<[128, 128], f32>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t", "block shape">:$block,
                        "::mlir::Type":$scaleType);
  let assemblyFormat = "`<` `[` $block `]` `,` $scaleType `>`";
  let genVerifyDecl = 1;
}

def Kiln_SourceAttr : Kiln_Attr<"Source", "source"> {
  let summary = "where a weight's bytes live in the checkpoint";
  let description = [{
    A safetensors file name relative to the checkpoint directory, and the byte offset and length
    of the tensor's data inside that file (header included in the offset). The compiler streams
    bytes from here into the artifact; the IR never holds them.

    ```mlir
    #kiln.source<"model-00001-of-000163.safetensors", 5246976, 14680064>
    ```
  }];
  let parameters = (ins StringRefParameter<"file name">:$file,
                        "uint64_t":$offset, "uint64_t":$size);
  let assemblyFormat = "`<` $file `,` $offset `,` $size `>`";
  let genVerifyDecl = 1;
}

def Kiln_YarnAttr : Kiln_Attr<"Yarn", "yarn"> {
  let summary = "YaRN rotary scaling parameters";
  let description = [{
    The checkpoint's `rope_scaling` block. Frequencies are blended between interpolation and
    extrapolation by a ramp over the dimensions `[floor(low), ceil(high)]` derived from
    `beta_fast`/`beta_slow`, and cos/sin are scaled by `m(mscale) / m(mscale_all_dim)` with
    `m(x) = 0.1 x ln(factor) + 1`.

    ```mlir
    #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096, beta_fast = 32.0,
               beta_slow = 1.0, mscale = 1.0, mscale_all_dim = 1.0>
    ```
  }];
  let parameters = (ins Kiln_F64Parameter:$factor,
                        "int64_t":$original_max_position_embeddings,
                        Kiln_F64Parameter:$beta_fast, Kiln_F64Parameter:$beta_slow,
                        Kiln_F64Parameter:$mscale, Kiln_F64Parameter:$mscale_all_dim);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Kiln_MLAShapeAttr : Kiln_Attr<"MLAShape", "mla"> {
  let summary = "the geometry of one Multi-head Latent Attention block";
  let description = [{
    `heads` attention heads; `q_lora` the rank of the query's low-rank path (0: a direct
    `q_proj`, as in V2-Lite); `kv_lora` the latent width cached per token (512 in every release);
    per head, `nope` no-RoPE and `rope` RoPE query/key channels (the key's RoPE part is one head
    shared by all) and `v` value channels.

    ```mlir
    #kiln.mla<heads = 128, q_lora = 1536, kv_lora = 512, nope = 128, rope = 64, v = 128>
    ```
  }];
  let parameters = (ins "int64_t":$heads, "int64_t":$q_lora, "int64_t":$kv_lora,
                        "int64_t":$nope, "int64_t":$rope, "int64_t":$v);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getQkHeadDim() const { return getNope() + getRope(); }
    bool hasQLora() const { return getQLora() != 0; }
  }];
}

def Kiln_IndexerShapeAttr : Kiln_Attr<"IndexerShape", "mla_indexer"> {
  let summary = "the geometry of the V3.2 lightning indexer";
  let description = [{
    `heads` index heads of `head_dim` channels, the first `rope` of which are rotated (in the
    `half` layout), and the `topk` keys each query keeps.

    ```mlir
    #kiln.mla_indexer<heads = 64, head_dim = 128, rope = 64, topk = 2048>
    ```
  }];
  let parameters = (ins "int64_t":$heads, "int64_t":$head_dim, "int64_t":$rope,
                        "int64_t":$topk);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Kiln_KVCacheType : TypeDef<Kiln_Dialect, "KVCache"> {
  let mnemonic = "kv_cache";
  let summary = "the paged latent KV cache of every MLA layer";
  let description = [{
    Per layer and per cached token: the normalised `latent` (kv_lora_rank wide) and the roped
    `k_pe` (`rope` wide), plus, for V3.2, the indexer key (`index` wide; 0 when absent). Tokens
    are stored in pages of `block` tokens; each sequence has its own block table, bound by the
    runtime. In prefill the rows belong to one sequence; in decode row `b` belongs to sequence
    `b`. Ops that write the cache return the updated cache value.

    ```mlir
    !kiln.kv_cache<layers = 61, latent = 512, rope = 64, index = 0, block = 64, element = bf16>
    ```
  }];
  let parameters = (ins "int64_t":$layers, "int64_t":$latent, "int64_t":$rope,
                        "int64_t":$index, "int64_t":$block, "::mlir::Type":$element);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Base op class and shared constraints
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Float tensors the graph computes in (activations, never FP8 storage).
def Kiln_FloatTensor : RankedTensorOf<[F32, BF16, F16]>;
def Kiln_F8Tensor : RankedTensorOf<[F8E4M3FN]>;
def Kiln_ActTensor : RankedTensorOf<[F32, BF16, F16, F8E4M3FN]>;
def Kiln_IndexTensor : RankedTensorOf<[I32]>;
def Kiln_F32Tensor : RankedTensorOf<[F32]>;

// Symbol references to `kiln.weight` ops.
defvar Kiln_WeightRef = FlatSymbolRefAttr;
defvar Kiln_OptWeightRef = OptionalAttr<FlatSymbolRefAttr>;

#endif // KILN_BASE_TD
