//===- ArtifactWriter.h - graph IR + checkpoint → a .kiln artifact --------------===//
//
// Streams every kiln.weight's bytes from the checkpoint (its `source` byte ranges, which
// carry the declarative layout transforms such as expert packing) into 4 KiB-aligned sections,
// in bounded memory, hashing each; adds tokenizer.json; writes the flatbuffers header and the
// preamble last. The output is a temporary file renamed into place only when complete, and is
// byte-identical for the same input.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
#define KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// Generated code for one target, with its kernel table (symbol, buffer arguments).
struct TargetCode {
  std::string name; // "cpu"
  std::string arch; // "x86-64-v2"
  std::string code; // the shared object
  std::vector<std::pair<std::string, unsigned>> kernels;
};

/// Writes the artifact of `module` (imported from `checkpointDir`; lowered with
/// kiln-lower-to-kernels when `targets` is not empty, whose kiln_plan ops become the plans) to
/// `outputPath`. Errors read "<file>: <problem>"; on error nothing is left at `outputPath`.
llvm::Error writeArtifact(mlir::ModuleOp module, llvm::StringRef checkpointDir,
                          llvm::StringRef outputPath, llvm::ArrayRef<TargetCode> targets = {});

} // namespace kiln

#endif // KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
