//===- KilnPlan.td - the host-side plan dialect ----------------------------===//
//
// The plan is what the runtime replays: per entry point (prefill, decode) and rank, an ordered
// list of kernel launches whose arguments are buffer references (arena offsets, weights, inputs,
// KV-cache pools, the block table, compiler-computed constants). It is serialised one-to-one into
// the artifact's Plan/Launch/BufferRef tables (runtime/artifact/artifact.fbs).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PLAN_TD
#define KILN_PLAN_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"

def KilnPlan_Dialect : Dialect {
  let name = "kiln_plan";
  let cppNamespace = "::kiln::plan";
  let summary = "Host-side plans: kernel launches over a static arena, replayed by the runtime";
  let useDefaultAttributePrinterParser = 1;
}

def KilnPlan_BufferKind : I32EnumAttr<"BufferKind", "what a launch argument points at", [
    I32EnumAttrCase<"arena", 0>, I32EnumAttrCase<"weight", 1>, I32EnumAttrCase<"input", 2>,
    I32EnumAttrCase<"kv_pool", 3>, I32EnumAttrCase<"block_table", 4>,
    I32EnumAttrCase<"constant", 5>]> {
  let cppNamespace = "::kiln::plan";
  let genSpecializedAttr = 0;
}
def KilnPlan_BufferKindAttr : EnumAttr<KilnPlan_Dialect, KilnPlan_BufferKind, "kind">;

def KilnPlan_BufferRefAttr : AttrDef<KilnPlan_Dialect, "BufferRef"> {
  let mnemonic = "ref";
  let summary = "one launch argument";
  let description = [{
    `kind`: `arena` (`offset` bytes into the entry's arena), `weight` (the weight symbol `name`),
    `input` (per-call int32 input `index`: 0 tokens, 1 positions, 2 sequence slots), `kv_pool`
    (layer `index`'s latent cache pool), `block_table`, `constant` (the `kiln_plan.rope_table`
    symbol `name`). `size` is the bytes the kernel may touch.

    ```mlir
    #kiln_plan.ref<arena, "", 0, 4096, 2048>
    ```
  }];
  let parameters = (ins "::kiln::plan::BufferKind":$kind, StringRefParameter<>:$name,
                        "int64_t":$index, "int64_t":$offset, "int64_t":$size);
  let assemblyFormat = "`<` $kind `,` $name `,` $index `,` $offset `,` $size `>`";
}

class KilnPlan_Op<string mnemonic, list<Trait> traits = []> : Op<KilnPlan_Dialect, mnemonic, traits>;

def KilnPlan_EntryOp : KilnPlan_Op<"entry", [Symbol, NoTerminator, SingleBlock,
                                              IsolatedFromAbove]> {
  let summary = "an entry point: launches replayed in order over one arena";
  let description = [{
    `max_tokens` bounds the tokens of one call; `arena_bytes` is the arena the memory plan needs
    and `peak_live_bytes` the most bytes live at one step (the planner's lower bound). `logits`
    says where the f32 [tokens, vocab] logits are when the entry has run.

    ```mlir
    kiln_plan.entry @prefill max_tokens 256 arena 1048576 peak 917504
        logits #kiln_plan.ref<arena, "", 0, 0, 524288> rank 0 {
      kiln_plan.launch @embed grid 4 [#kiln_plan.ref<input, "", 0, 0, 1024>, ...]
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$max_tokens, I64Attr:$arena_bytes,
                       I64Attr:$peak_live_bytes, KilnPlan_BufferRefAttr:$logits, I64Attr:$rank);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `max_tokens` $max_tokens `arena` $arena_bytes `peak` $peak_live_bytes
    `logits` $logits `rank` $rank attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def KilnPlan_LaunchOp : KilnPlan_Op<"launch", [HasParent<"EntryOp">]> {
  let summary = "run a kernel over `grid` workgroups";
  let description = [{
    The kernel is a function of the module (`kiln_plan.kernel`); its arguments are the buffers in
    order, then the token count, the workgroup id and the workgroup count.

    ```mlir
    kiln_plan.launch @rms_norm_128 grid 4 [#kiln_plan.ref<arena, "", 0, 0, 4096>, ...]
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$kernel, I64Attr:$grid,
                       TypedArrayAttrBase<KilnPlan_BufferRefAttr, "buffer references">:$args);
  let assemblyFormat = "$kernel `grid` $grid $args attr-dict";
  let hasVerifier = 1;
}

def KilnPlan_RopeTableOp : KilnPlan_Op<"rope_table", [Symbol]> {
  let summary = "a cos/sin table the artifact writer computes (declarative, no bytes in the IR)";
  let description = [{
    f32 `[positions, dim/2, 2]` (cos, sin) of `pos · f'_i` with the YaRN-blended frequencies of
    the reference (angle in f32, as transformers computes it) times `attention_factor`.

    ```mlir
    kiln_plan.rope_table @rope dim 64 positions 4096 theta 1.0e4 factor 40.0 original 4096
        beta_fast 32.0 beta_slow 1.0 attention_factor 1.0
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$dim, I64Attr:$positions,
                       F64Attr:$theta, F64Attr:$factor, I64Attr:$original, F64Attr:$beta_fast,
                       F64Attr:$beta_slow, F64Attr:$attention_factor);
  let assemblyFormat = [{
    $sym_name `dim` $dim `positions` $positions `theta` $theta `factor` $factor
    `original` $original `beta_fast` $beta_fast `beta_slow` $beta_slow
    `attention_factor` $attention_factor attr-dict
  }];
  let hasVerifier = 1;
}

def KilnPlan_KVCacheOp : KilnPlan_Op<"kv_cache"> {
  let summary = "the paged latent KV cache layout";
  let description = [{
    Per layer one pool of `num_blocks` blocks of `block` tokens, each `latent + rope` f32.

    ```mlir
    kiln_plan.kv_cache layers 3 latent 64 rope 16 block 64 blocks 32 max_seq_len 256 max_batch 8
    ```
  }];
  let arguments = (ins I64Attr:$layers, I64Attr:$latent, I64Attr:$rope, I64Attr:$block,
                       I64Attr:$blocks, I64Attr:$max_seq_len, I64Attr:$max_batch);
  let assemblyFormat = [{
    `layers` $layers `latent` $latent `rope` $rope `block` $block `blocks` $blocks
    `max_seq_len` $max_seq_len `max_batch` $max_batch attr-dict
  }];
  let hasVerifier = 1;
}

#endif // KILN_PLAN_TD
