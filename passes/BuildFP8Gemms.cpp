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

/// "NxK" or "NxK:BMxBNxSTAGES"; false when `text` is neither.
bool parseShape(llvm::StringRef text, cuda::Sm90GemmTile *tile) {
  auto [shape, tiling] = text.split(':');
  auto [n, k] = shape.split('x');
  int64_t nValue = 0, kValue = 0;
  if (n.getAsInteger(10, nValue) || k.getAsInteger(10, kValue))
    return false;
  *tile = cuda::chooseSm90GemmTile(nValue, kValue);
  if (tiling.empty())
    return !text.contains(':');
  llvm::SmallVector<llvm::StringRef> parts;
  tiling.split(parts, 'x');
  return parts.size() == 3 && !parts[0].getAsInteger(10, tile->bm) &&
         !parts[1].getAsInteger(10, tile->bn) && !parts[2].getAsInteger(10, tile->stages);
}

struct BuildFP8GemmsPass : impl::BuildFP8GemmsBase<BuildFP8GemmsPass> {
  using Base::Base;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    std::vector<cuda::Sm90GemmTile> tiles;
    for (auto [n, k] : cuda::collectFP8GemmShapes(module))
      for (bool smallM : {false, true})
        tiles.push_back(cuda::chooseSm90GemmTile(n, k, smallM));
    for (const std::string &text : shapes) {
      cuda::Sm90GemmTile tile;
      if (!parseShape(text, &tile)) {
        module.emitError() << "kiln-build-fp8-gemms: shapes entry '" << text
                           << "': expected NxK or NxK:BMxBNxSTAGES";
        return signalPassFailure();
      }
      tiles.push_back(tile);
      if (!llvm::StringRef(text).contains(':')) // NxK: the small-M kernel too, as for a model
        tiles.push_back(cuda::chooseSm90GemmTile(tile.n, tile.k, /*smallM=*/true));
    }
    if (tiles.empty())
      return; // nothing to build: no FP8 linears and no shapes
    if (llvm::Error e = cuda::buildFP8GemmKernels(module, tiles, nullptr)) {
      module.emitError() << "kiln-build-fp8-gemms: " << llvm::toString(std::move(e));
      return signalPassFailure();
    }
  }
};

} // namespace
} // namespace kiln
