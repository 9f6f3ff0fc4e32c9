//===- Importer.h - a Hugging Face checkpoint directory → verified graph IR ----===//

#ifndef KILN_COMPILER_FRONTEND_IMPORTER_H
#define KILN_COMPILER_FRONTEND_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln::frontend {

struct ImportResult {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// One line each: unexpected or unindexed tensors, ignored.
  std::vector<std::string> warnings;
  /// Bytes of checkpoint metadata read (config, index, shard headers, tokenizer config).
  uint64_t metadataBytes = 0;
};

/// Reads the checkpoint's headers, checks its tensors against its config, and builds and
/// verifies the kiln graph IR. Errors read "<file>: <problem>".
llvm::Expected<ImportResult> importCheckpoint(mlir::MLIRContext &context,
                                              llvm::StringRef directory);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_IMPORTER_H
