//===- ArtifactWriter.h - graph IR + checkpoint → a .kiln artifact --------------===//
//
// Streams every kiln.weight's bytes from the checkpoint (its `source` byte ranges, which
// carry the declarative layout transforms such as expert packing) into 4 KiB-aligned sections,
// in bounded memory, hashing each; adds tokenizer.json; writes the flatbuffers header and the
// preamble last. The output is a temporary file renamed into place only when complete, and is
// byte-identical for the same input.
//
// Before writing, the artifact's size (every section, 4 KiB aligned, and a bound on the header)
// is checked against the free space of the output's file system. While writing, `progress`
// hears of every chunk; `interrupted` (set by a signal handler) is checked between chunks and
// stops the write, abandoning the unnamed file. Test hooks (environment): KILN_TEST_FREE_BYTES=N
// stands for the file system's free bytes; KILN_TEST_ENOSPC_AFTER_BYTES=N fails the write with
// ENOSPC once N bytes are written; KILN_TEST_KILL_AFTER_SECTIONS=N SIGKILLs the compile and
// KILN_TEST_INTERRUPT_AFTER_SECTIONS=N raises SIGINT after N sections;
// KILN_TEST_PAUSE_AFTER_SECTIONS=N waits there (up to 60 s, until interrupted), creating the
// file $KILN_TEST_PAUSE_MARKER so a test knows when to send a signal.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
#define KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <csignal>
#include <cstdint>
#include <functional>
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

struct WriteOptions {
  /// Called after every chunk with the bytes written so far and the expected total (the header
  /// counts with its bound until it is written; the last call has written == total).
  std::function<void(uint64_t written, uint64_t total)> progress;
  /// Checked between chunks: once non-zero the write stops, nothing is left at the output, and
  /// writeArtifact returns an error reading "<file>: interrupted".
  const volatile std::sig_atomic_t *interrupted = nullptr;
};

/// Writes the artifact of `module` (imported from `checkpointDir`; lowered with
/// kiln-lower-to-kernels when `targets` is not empty, whose kiln_plan ops become the plans) to
/// `outputPath`. Errors read "<file>: <problem>"; on error nothing is left at `outputPath`.
llvm::Error writeArtifact(mlir::ModuleOp module, llvm::StringRef checkpointDir,
                          llvm::StringRef outputPath, llvm::ArrayRef<TargetCode> targets = {},
                          const WriteOptions &options = {});

} // namespace kiln

#endif // KILN_COMPILER_ARTIFACT_ARTIFACTWRITER_H
