//===- AbsorbMLA.cpp - choose how each MLA block applies kv_b_proj ---------===//
//
// Decode reads the whole cached context for one new token per sequence: folding W_UK into the
// query and W_UV into the output (both slices of kv_b_proj, used as stored: a product of FP8
// weights is never re-quantised) makes attention run over the 512 + 64 latent directly.
// Prefill of a chunk expands each cached latent once into per-head keys and values and attends
// with the model's own head dimensions (the naive form), unless `prefill=absorbed`.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

namespace kiln {
#define GEN_PASS_DEF_ABSORBMLA
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct AbsorbMLAPass : public kiln::impl::AbsorbMLABase<AbsorbMLAPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<MLAForm> prefillForm = symbolizeMLAForm(prefill);
    if (!prefillForm) {
      getOperation()->emitError("kiln-absorb-mla: prefill must be naive or absorbed, not '")
          << prefill << "'";
      return signalPassFailure();
    }
    getOperation()->walk([&](MLAAttentionOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      // Only @prefill runs one sequence per call, which the naive form needs.
      MLAForm form = fn && fn.getSymName() == "prefill" ? *prefillForm : MLAForm::absorbed;
      op.setFormAttr(MLAFormAttr::get(&getContext(), form));
      ++(form == MLAForm::absorbed ? numAbsorbed : numNaive);
    });
  }
};

} // namespace
