//===- GraphBuilder.h - a verified checkpoint → the kiln graph IR --------------===//
//
// Emits the whole model: a kiln.weight per checkpoint tensor (dtype, shape, block
// quantisation, and where its bytes are), routed experts packed per layer by a declarative
// byte-range concatenation, and two entry functions (`prefill`, `decode`) over token ids,
// positions and the latent KV cache, with routing written as the kiln.route.* primitives.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_GRAPHBUILDER_H
#define KILN_COMPILER_FRONTEND_GRAPHBUILDER_H

#include "compiler/frontend/Checkpoint.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln::frontend {

/// Builds the graph IR of a checkpoint `verifyCheckpoint` accepted. Errors (a layout the IR
/// cannot express) read "<file>: <problem>".
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> buildGraph(mlir::MLIRContext &context,
                                                             const Checkpoint &checkpoint);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_GRAPHBUILDER_H
