//===- BuildFP8Gemms.cpp - the sm_90a FP8 GEMMs a module needs --------------===//
//
// Collects the (N, K) of the module's block-FP8 linears and the `shapes` option, and builds one
// kernel for each into gpu.module @kiln_fp8_gemms (compiler/targets/cuda/CudaCodegen.h).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "compiler/targets/cuda/CudaCodegen.h"

#include "llvm/ADT/StringExtras.h"

namespace kiln {

#define GEN_PASS_DEF_BUILDFP8GEMMS
#include "passes/Passes.h.inc"

namespace {

/// One `shapes` entry: "NxK" (the kernels a model's dense linear of that shape gets), or
/// "NxK:BMxBNxSTAGES" followed by any of ":grouped" / ":masked" (the layout), ":swap" (swap A/B),
/// ":multicast" (clusters of two sharing the weight tile), ":bf16" (the output type) and
/// ":tmastore" (bf16 C through shared memory and TMA stores) and ":prefetch" (the next unit's
/// first scales prefetched into L1), one kernel. Returns false when `text` is neither.
bool parseShape(llvm::StringRef text, std::vector<cuda::Sm90GemmTile> *tiles) {
  llvm::SmallVector<llvm::StringRef> fields;
  text.split(fields, ':');
  auto [n, k] = fields[0].split('x');
  int64_t nValue = 0, kValue = 0;
  if (n.getAsInteger(10, nValue) || k.getAsInteger(10, kValue))
    return false;
  if (fields.size() == 1) {
    std::vector<cuda::Sm90GemmTile> model = cuda::planFP8Gemms({{nValue, kValue}}, {});
    tiles->insert(tiles->end(), model.begin(), model.end());
    return true;
  }
  cuda::Sm90GemmTile tile = cuda::chooseSm90GemmTile(nValue, kValue);
  llvm::SmallVector<llvm::StringRef> dims;
  fields[1].split(dims, 'x');
  if (dims.size() != 3 || dims[0].getAsInteger(10, tile.bm) || dims[1].getAsInteger(10, tile.bn) ||
      dims[2].getAsInteger(10, tile.stages))
    return false;
  for (llvm::StringRef flag : llvm::ArrayRef(fields).drop_front(2)) {
    if (flag == "grouped")
      tile.layout = cuda::FP8GemmLayout::GroupedContiguous;
    else if (flag == "masked")
      tile.layout = cuda::FP8GemmLayout::GroupedMasked;
    else if (flag == "bf16")
      tile.bf16Out = true;
    else if (flag == "swap")
      tile.swapAB = true;
    else if (flag == "multicast")
      tile.cluster = 2;
    else if (flag == "tmastore")
      tile.tmaStore = true;
    else if (flag == "prefetch")
      tile.prefetchScales = true;
    else
      return false;
  }
  tiles->push_back(tile);
  return true;
}

/// An sm_89 / sm_80 `shapes` entry: "NxK", then optionally ":BN" and ":grouped" or ":masked".
bool parseMmaShape(llvm::StringRef text, bool e4m3Mma, std::vector<cuda::MmaGemmTile> *tiles) {
  llvm::SmallVector<llvm::StringRef> fields;
  text.split(fields, ':');
  auto [n, k] = fields[0].split('x');
  int64_t nValue = 0, kValue = 0;
  if (n.getAsInteger(10, nValue) || k.getAsInteger(10, kValue))
    return false;
  cuda::MmaGemmTile tile = cuda::chooseMmaGemmTile(e4m3Mma, nValue, kValue);
  for (auto [i, field] : llvm::enumerate(llvm::ArrayRef(fields).drop_front())) {
    if (field == "grouped")
      tile.layout = cuda::FP8GemmLayout::GroupedContiguous;
    else if (field == "masked")
      tile.layout = cuda::FP8GemmLayout::GroupedMasked;
    else if (i != 0 || field.getAsInteger(10, tile.bn))
      return false;
  }
  tiles->push_back(tile);
  return true;
}

struct BuildFP8GemmsPass : impl::BuildFP8GemmsBase<BuildFP8GemmsPass> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    llvm::Expected<cuda::CudaChip> target = cuda::lookupCudaChip(chip);
    if (!target) {
      module.emitError() << "kiln-build-fp8-gemms: chip=" << chip << ": "
                         << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    cuda::GemmPlan plan = cuda::planFP8GemmsFor(*target, cuda::collectFP8GemmUses(module));
    const bool sm90 = target->name == "sm_90a";
    for (const std::string &text : shapes) {
      bool parsed = sm90 ? parseShape(text, &plan.sm90)
                         : parseMmaShape(text, target->name == "sm_89", &plan.mma);
      if (!parsed) {
        module.emitError() << "kiln-build-fp8-gemms: shapes entry '" << text << "': expected "
                           << (sm90 ? "NxK or NxK:BMxBNxSTAGES[:grouped|:masked|:swap|:multicast][:bf16[:tmastore]][:prefetch]"
                                    : "NxK or NxK:BN, then optionally :grouped or :masked");
        return signalPassFailure();
      }
    }
    if (plan.empty())
      return; // nothing to build: no FP8 linears and no shapes
    if (llvm::Error e = cuda::buildFP8GemmKernels(module, plan, nullptr)) {
      module.emitError() << "kiln-build-fp8-gemms: " << llvm::toString(std::move(e));
      return signalPassFailure();
    }
  }
};

} // namespace
} // namespace kiln
