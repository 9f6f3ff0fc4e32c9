//===- Importer.cpp - a Hugging Face checkpoint directory → verified graph IR --===//

#include "compiler/frontend/Importer.h"

#include "compiler/frontend/Checkpoint.h"
#include "compiler/frontend/GraphBuilder.h"
#include "compiler/frontend/ImportError.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

namespace kiln::frontend {

llvm::Expected<ImportResult> importCheckpoint(mlir::MLIRContext &context,
                                              llvm::StringRef directory) {
  llvm::Expected<Checkpoint> checkpoint = openCheckpoint(directory);
  if (!checkpoint)
    return checkpoint.takeError();
  if (llvm::Error e = verifyCheckpoint(*checkpoint))
    return std::move(e);
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = buildGraph(context, *checkpoint);
  if (!module)
    return module.takeError();

  // The builder's output must verify; a failure here is a Kiln bug, reported with the
  // verifier's first diagnostic rather than printed IR.
  std::string firstDiagnostic;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (firstDiagnostic.empty())
      firstDiagnostic = diag.str();
    return mlir::success();
  });
  if (mlir::failed(mlir::verify(**module)))
    return importError(checkpoint->path("config.json"),
                       "internal error: the imported graph does not verify: " + firstDiagnostic);
  return ImportResult{std::move(*module), std::move(checkpoint->warnings),
                      checkpoint->metadataBytes};
}

} // namespace kiln::frontend
