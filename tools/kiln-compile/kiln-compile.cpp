//===- kiln-compile.cpp - compile a Hugging Face checkpoint ------------------===//
//
//   kiln-compile <hf-dir> -o model.kiln              the artifact (weights + header so far)
//   kiln-compile <hf-dir> --emit graph -o model.mlir   the kiln graph IR
//
// Options are llvm::cl, with MLIR's context, pass-manager and printing options registered so
// their spellings (--mlir-print-ir-after-all, --mlir-timing, ...) hold as pipelines land.
// Every failure is one line, "kiln-compile: error: <file>: <problem>", exit status 1, and no
// output file: output goes to a temporary file renamed into place only on success.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactWriter.h"
#include "compiler/frontend/Importer.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {

enum class Emit { Artifact, Graph };

cl::opt<std::string> checkpointDir(cl::Positional, cl::desc("<hf-checkpoint-dir>"),
                                   cl::Required);
cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::Required);
cl::opt<Emit> emit("emit", cl::desc("Write an intermediate form instead of the artifact"),
                   cl::values(clEnumValN(Emit::Graph, "graph",
                                         "the kiln graph IR (MLIR text) of the whole model")),
                   cl::init(Emit::Artifact));
cl::opt<unsigned> maxWarnings("max-warnings",
                              cl::desc("Print at most this many warnings (0: all)"),
                              cl::init(20));

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  std::exit(1);
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, renamed into
/// place, so a failed or killed compile never leaves a partial output.
void writeAtomically(llvm::StringRef path, llvm::function_ref<void(llvm::raw_ostream &)> write) {
  if (path == "-") {
    write(llvm::outs());
    return;
  }
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    fail(path + ": cannot create a temporary file: " + llvm::toString(temp.takeError()));
  {
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    write(os);
    os.flush();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::consumeError(temp->discard());
      fail(path + ": write failed: " + message);
    }
  }
  if (llvm::Error e = temp->keep(path))
    fail(path + ": cannot rename the temporary file into place: " + llvm::toString(std::move(e)));
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln: compile a DeepSeek checkpoint\n");

  mlir::MLIRContext context;
  llvm::Expected<kiln::frontend::ImportResult> imported =
      kiln::frontend::importCheckpoint(context, checkpointDir);
  if (!imported)
    fail(llvm::toString(imported.takeError()));

  const std::vector<std::string> &warnings = imported->warnings;
  size_t shown = maxWarnings == 0 ? warnings.size() : std::min<size_t>(maxWarnings, warnings.size());
  for (size_t i = 0; i < shown; ++i)
    llvm::errs() << "kiln-compile: warning: " << warnings[i] << "\n";
  if (shown < warnings.size())
    llvm::errs() << "kiln-compile: warning: ... and " << warnings.size() - shown
                 << " more (--max-warnings=0 shows all)\n";

  switch (emit) {
  case Emit::Artifact:
    if (outputPath == "-")
      fail("-o -: an artifact is written to a file");
    if (llvm::Error e = kiln::writeArtifact(*imported->module, checkpointDir, outputPath))
      fail(llvm::toString(std::move(e)));
    break;
  case Emit::Graph:
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) {
      imported->module->print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
      os << "\n";
    });
    break;
  }
  return 0;
}
