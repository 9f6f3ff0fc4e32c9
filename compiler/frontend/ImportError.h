//===- ImportError.h - the one error shape of the importer ------------------===//
//
// Every import problem is reported as one line, "<file>: <problem>", where <file> is the
// checkpoint file at fault (relative to the checkpoint directory when it lies inside it).
// kiln-compile prefixes "kiln-compile: error: ".
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_IMPORTERROR_H
#define KILN_COMPILER_FRONTEND_IMPORTERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace kiln::frontend {

/// An llvm::Error reading "<file>: <problem>".
inline llvm::Error importError(const llvm::Twine &file, const llvm::Twine &problem) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), (file + ": " + problem).str());
}

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_IMPORTERROR_H
