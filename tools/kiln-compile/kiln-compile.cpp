//===- kiln-compile.cpp - compile a Hugging Face checkpoint ------------------===//
//
//   kiln-compile <hf-dir> -o model.kiln [--target cpu] [--max-seq-len L] [--max-batch B]
//                [--fp8-gemm act-quant|dequant]      the artifact: weights, code, plans
//   kiln-compile <hf-dir> --emit graph|kernel|plan|llvm -o FILE   an intermediate form
//   kiln-compile <hf-dir> --target sm_90a --emit ptx -o DIR   the model's FP8 GEMMs for the GPU
//                                                             (PTX, cubins with ptxas)
//   kiln-compile <hf-dir> --target sm_90a --emit gpu -o FILE  those kernels as MLIR (gpu, nvvm)
//   kiln-compile ... --load-pass-plugin lib.so --pipeline STR      out-of-tree passes
//
// Options are llvm::cl, with MLIR's context, pass-manager and printing options registered so
// their spellings (--mlir-print-ir-after-all, --mlir-timing, ...) hold as pipelines land.
// Every failure is one line, "kiln-compile: error: <file>: <problem>", exit status 1, and no
// output file: output goes to a temporary file renamed into place only on success.
//
// Writing the artifact: its size is checked against the output file system's free space first;
// progress (bytes written / total, with an ETA) goes to stderr, a line redrawn in place on a
// terminal, otherwise a plain line at most every 10% / 5 s and a last one (--quiet: none).
// SIGINT and SIGTERM stop the write between chunks: nothing is left at the output (an artifact
// already there stays as it was), one line "kiln-compile: interrupted", exit status 1.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactWriter.h"
#include "compiler/frontend/Importer.h"
#include "EmitPTX.h"
#include "compiler/targets/cpu/CpuCodegen.h"
#include "compiler/targets/cuda/CudaCodegen.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "mlir/Pass/PassRegistry.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>

namespace cl = llvm::cl;

namespace {

enum class Emit { Artifact, Graph, Kernel, Plan, LLVM, PTX, GPU };

cl::opt<std::string> checkpointDir(cl::Positional, cl::desc("<hf-checkpoint-dir>"),
                                   cl::Required);
cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"));
cl::opt<Emit> emit("emit", cl::desc("Write an intermediate form instead of the artifact"),
                   cl::values(clEnumValN(Emit::Graph, "graph",
                                         "the kiln graph IR (MLIR text) of the whole model"),
                              clEnumValN(Emit::Kernel, "kernel",
                                         "kernel functions and plans (MLIR text)"),
                              clEnumValN(Emit::Plan, "plan", "the kiln_plan ops only"),
                              clEnumValN(Emit::LLVM, "llvm", "the CPU kernels as LLVM IR"),
                              clEnumValN(Emit::PTX, "ptx",
                                         "the FP8 GEMMs of every GPU --target: a directory of "
                                         "PTX (and cubins, with ptxas) and manifest.json"),
                              clEnumValN(Emit::GPU, "gpu",
                                         "those GEMM kernels as MLIR (gpu, nvvm, llvm), "
                                         "before lowering")),
                   cl::init(Emit::Artifact));
cl::opt<std::string> targetList("target",
                                cl::desc("Code targets, comma separated: cpu, sm_90a"),
                                cl::init("cpu"));
cl::opt<int64_t> maxSeqLen("max-seq-len",
                           cl::desc("Longest sequence (default: min(max_position_embeddings, 4096))"),
                           cl::init(0));
cl::opt<std::string> cpuLevel("cpu",
                              cl::desc("x86-64 level of the CPU code: x86-64-v2 (default, "
                                       "portable), x86-64-v3 (AVX2, FMA), x86-64-v4"),
                              cl::init(kiln::cpu::kCpuLevel));
cl::opt<int64_t> maxBatch("max-batch", cl::desc("Most sequences per decode call"), cl::init(8));
cl::opt<int64_t> prefillChunk("prefill-chunk", cl::desc("Most tokens per prefill call"),
                              cl::init(256));
cl::opt<std::string> fp8Gemm("fp8-gemm",
                             cl::desc("FP8 GEMM semantics: act-quant (default) or dequant"),
                             cl::init("act-quant"));
cl::opt<std::string> pipeline("pipeline",
                             cl::desc("Pass pipeline replacing the default (kiln-cpu-pipeline "
                                      "with the options above): as --print-pipeline prints "
                                      "it, builtin.module(...), or bare"),
                             cl::init(""));
cl::list<std::string> passPlugins(
    "load-pass-plugin",
    cl::desc("Load passes from a plugin library (repeatable); --pipeline can name them"),
    cl::value_desc("lib.so"));
cl::opt<bool> printPipeline("print-pipeline",
                            cl::desc("Print the pass pipeline that would run, and exit"),
                            cl::init(false));
cl::opt<bool> quiet("quiet", cl::desc("No progress on stderr while writing the artifact"),
                    cl::init(false));
cl::opt<unsigned> maxWarnings("max-warnings",
                              cl::desc("Print at most this many warnings (0: all)"),
                              cl::init(20));

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  std::exit(1);
}

volatile std::sig_atomic_t interruptedBySignal = 0;

/// SIGINT/SIGTERM while the artifact is written: the writer stops at its next chunk. The
/// handler is reset by the first signal (SA_RESETHAND), so a second one ends the process at once
/// (the unnamed output file goes with it).
extern "C" void onInterrupt(int) { interruptedBySignal = 1; }

void catchInterrupts() {
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string humanBytes(uint64_t bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buffer;
}

std::string humanSeconds(double seconds) {
  char buffer[32];
  if (seconds < 60)
    std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
  else if (seconds < 3600)
    std::snprintf(buffer, sizeof buffer, "%dm%02ds", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  static_cast<int>(seconds) / 60 % 60);
  return buffer;
}

/// The artifact writer's progress on stderr: on a terminal one line redrawn at most 10 times a
/// second; otherwise a line when a new tenth is reached at least a second after the last line,
/// or 5 s after it, and always a last line.
class ProgressLine {
public:
  explicit ProgressLine(std::string path)
      : path(std::move(path)), terminal(::isatty(2) == 1), start(Clock::now()),
        last(start) {}

  void update(uint64_t written, uint64_t total) {
    const Clock::time_point now = Clock::now();
    const double sinceLast = seconds(now - last);
    const bool done = written >= total;
    const int tenth = total ? static_cast<int>(written * 10 / total) : 10;
    if (done) {
      finish(written, now);
      return;
    }
    if (terminal ? sinceLast < 0.1 : !((tenth > lastTenth && sinceLast >= 1) || sinceLast >= 5))
      return;
    last = now;
    lastTenth = tenth;
    std::string line = "kiln-compile: writing " + path + ": " + humanBytes(written) + " / " +
                       humanBytes(total) + " (" + std::to_string(written * 100 / total) + "%)";
    const double elapsed = seconds(now - start);
    if (written > 0 && elapsed >= 0.5)
      line += ", ETA " + humanSeconds(elapsed * static_cast<double>(total - written) /
                                      static_cast<double>(written));
    show(line);
  }

  /// Clears a redrawn line, so that an error starts on its own.
  void clear() {
    if (terminal && drawn) {
      llvm::errs() << "\r\033[K";
      llvm::errs().flush();
      drawn = false;
    }
  }

private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

  void finish(uint64_t written, Clock::time_point now) {
    if (finished)
      return;
    finished = true;
    const double elapsed = seconds(now - start);
    char rate[64] = "";
    if (elapsed > 0.05)
      std::snprintf(rate, sizeof rate, ", %s/s",
                    humanBytes(static_cast<uint64_t>(static_cast<double>(written) / elapsed))
                        .c_str());
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", elapsed);
    show("kiln-compile: wrote " + path + ": " + humanBytes(written) + " in " + time + rate);
    if (terminal) {
      llvm::errs() << "\n";
      drawn = false;
    }
  }

  void show(const std::string &line) {
    if (terminal) {
      llvm::errs() << "\r\033[K" << line;
      drawn = true;
    } else {
      llvm::errs() << line << "\n";
    }
    llvm::errs().flush();
  }

  std::string path;
  bool terminal;
  Clock::time_point start, last;
  int lastTenth = 0;
  bool drawn = false, finished = false;
};

/// Loads each --load-pass-plugin library and registers its passes, so that --pipeline can name
/// them. A plugin links libKilnCompiler.so like this tool, so its passes see the same kiln ops.
void loadPassPlugins() {
  for (const std::string &path : passPlugins) {
    const std::string where = "--load-pass-plugin " + path + ": ";
    // dlopen's message for a missing file names the path twice more; say it once.
    if (!llvm::sys::fs::exists(path))
      fail(where + "no such file");
    llvm::Expected<mlir::PassPlugin> plugin = mlir::PassPlugin::load(path);
    if (!plugin) {
      // PassPlugin's messages repeat the path ("Could not load library 'P': P: ...", "Plugin
      // entry point not found in 'P'. ..."): keep what the path does not already say.
      std::string reason = llvm::toString(plugin.takeError());
      llvm::StringRef text(reason);
      if (text.consume_front("Could not load library '" + path + "': ")) {
        text.consume_front(path + ": ");
        reason = "cannot load it: " + text.str();
      } else if (text.starts_with("Plugin entry point not found")) {
        reason = "not an MLIR pass plugin (it defines no mlirGetPassPluginInfo)";
      }
      fail(where + reason);
    }
    plugin->registerPassRegistryCallbacks();
  }
}

/// The passes of a --pipeline, to add to the module's pass manager. --print-pipeline prints the
/// anchored form, `builtin.module(...)`, which is also what mlir-opt's --pass-pipeline takes;
/// parsed as is into a pass manager already on the module it would nest a pass manager for
/// modules inside the module, and run nothing. So that form is unwrapped (as MLIR's own parser
/// does for an anchored pipeline); the bare form (`kiln-cpu-pipeline{...}`) is taken as is.
llvm::StringRef moduleLevelPipeline(llvm::StringRef text) {
  text = text.trim();
  size_t open = text.find('(');
  if (open == llvm::StringRef::npos || text.take_front(open).rtrim() != "builtin.module" ||
      !text.ends_with(")"))
    return text;
  return text.drop_front(open + 1).drop_back();
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
  // Passes are registered before the pass manager's options exist: --mlir-print-ir-after=NAME
  // and friends list the registered passes when they are created. (A plugin's passes load
  // after the command line is parsed, so only pipeline strings can name them.)
  mlir::registerAllPasses();
  kiln::registerKilnPasses();
  kiln::registerKilnPipelines();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln: compile a DeepSeek checkpoint\n");

  // --mlir-timing: the import, each pass and the code generation, in one report at exit.
  mlir::DefaultTimingManager timingManager;
  mlir::applyDefaultTimingManagerCLOptions(timingManager);
  mlir::TimingScope timing = timingManager.getRootScope();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  // Before the import, so that a bad plugin fails at once, and before the pipeline is parsed.
  loadPassPlugins();
  mlir::MLIRContext context(registry);
  mlir::TimingScope importTiming = timing.nest("import checkpoint");
  llvm::Expected<kiln::frontend::ImportResult> imported =
      kiln::frontend::importCheckpoint(context, checkpointDir);
  if (!imported)
    fail(llvm::toString(imported.takeError()));
  importTiming.stop();

  const std::vector<std::string> &warnings = imported->warnings;
  size_t shown = maxWarnings == 0 ? warnings.size() : std::min<size_t>(maxWarnings, warnings.size());
  for (size_t i = 0; i < shown; ++i)
    llvm::errs() << "kiln-compile: warning: " << warnings[i] << "\n";
  if (shown < warnings.size())
    llvm::errs() << "kiln-compile: warning: ... and " << warnings.size() - shown
                 << " more (--max-warnings=0 shows all)\n";

  if (outputPath.empty() && !printPipeline)
    fail("-o: an output file is required");
  mlir::ModuleOp module = *imported->module;
  if (emit == Emit::Graph) {
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) {
      module.print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
      os << "\n";
    });
    return 0;
  }
  if (emit == Emit::Artifact && outputPath == "-")
    fail("-o -: an artifact is written to a file");

  llvm::SmallVector<llvm::StringRef> targets;
  llvm::StringRef(targetList).split(targets, ',', -1, false);
  std::vector<kiln::cuda::CudaChip> chips;
  for (llvm::StringRef t : targets) {
    if (t == "cpu")
      continue;
    llvm::Expected<kiln::cuda::CudaChip> chip = kiln::cuda::lookupCudaChip(t);
    if (!chip)
      fail(llvm::toString(chip.takeError()));
    chips.push_back(*chip);
  }
  if (emit == Emit::PTX || emit == Emit::GPU) {
    if (chips.empty())
      fail("--emit " + std::string(emit == Emit::PTX ? "ptx" : "gpu") +
           ": name a GPU target (--target sm_90a)");
    mlir::TimingScope cudaTiming = timing.nest("cuda code generation");
    if (emit == Emit::PTX) {
      if (outputPath == "-")
        fail("-o -: --emit ptx writes a directory");
      if (llvm::Error e = kiln::compile::emitPTXDirectory(context, module, chips, outputPath))
        fail(checkpointDir + ": " + llvm::toString(std::move(e)));
      return 0;
    }
    kiln::cuda::GemmPlan plan =
        kiln::cuda::planFP8GemmsFor(chips.front(), kiln::cuda::collectFP8GemmUses(module));
    if (plan.empty())
      fail(checkpointDir + ": --emit gpu: the model has no block-FP8 linear layers");
    llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> gpu =
        kiln::cuda::buildFP8GemmModule(context, plan, nullptr);
    if (!gpu)
      fail(checkpointDir + ": " + llvm::toString(gpu.takeError()));
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) { (**gpu)->print(os); });
    return 0;
  }
  if (!chips.empty())
    fail("--target " + chips.front().name +
         ": the artifact holds CPU code only so far; write the GPU kernels with --emit ptx");
  if (llvm::find(kiln::cpu::kCpuLevels, cpuLevel) == std::end(kiln::cpu::kCpuLevels))
    fail("--cpu " + cpuLevel + ": expected x86-64-v2, x86-64-v3 or x86-64-v4");
  if (fp8Gemm != "act-quant" && fp8Gemm != "dequant")
    fail("--fp8-gemm " + fp8Gemm + ": expected act-quant or dequant");
  if (maxBatch < 1 || prefillChunk < 1 || maxSeqLen < 0)
    fail("--max-batch, --prefill-chunk and --max-seq-len must be positive");
  int64_t seqLen = maxSeqLen;
  if (seqLen == 0) {
    seqLen = 4096;
    if (auto model = module->getAttrOfType<mlir::DictionaryAttr>("kiln.model"))
      if (auto v = model.getAs<mlir::IntegerAttr>("max_position_embeddings"))
        seqLen = std::min<int64_t>(seqLen, v.getInt());
  }

  std::string pipelineText = pipeline;
  if (pipelineText.empty())
    pipelineText = "kiln-cpu-pipeline{max-seq-len=" + std::to_string(seqLen) +
                   " max-batch=" + std::to_string(maxBatch) +
                   " prefill-chunk=" + std::to_string(std::min<int64_t>(prefillChunk, seqLen)) +
                   " fp8-gemm=" + fp8Gemm + "}";
  mlir::PassManager pm = mlir::PassManager::on<mlir::ModuleOp>(&context);
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    fail("invalid pass-manager options");
  pm.enableTiming(timing);
  std::string pipelineError;
  llvm::raw_string_ostream pipelineErrors(pipelineError);
  if (mlir::failed(mlir::parsePassPipeline(moduleLevelPipeline(pipelineText), pm,
                                           pipelineErrors)))
    fail("--pipeline: cannot parse '" + pipelineText + "': " + pipelineError);
  if (printPipeline) {
    pm.printAsTextualPipeline(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }
  if (mlir::failed(pm.run(module)))
    fail(checkpointDir + ": lowering to kernels failed (see the diagnostic above)");

  switch (emit) {
  case Emit::Graph:
  case Emit::PTX:
  case Emit::GPU:
    break;
  case Emit::Kernel:
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) {
      module.print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
      os << "\n";
    });
    break;
  case Emit::Plan:
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) {
      for (mlir::Operation &op : module.getBody()->getOperations())
        if (op.getDialect() && op.getDialect()->getNamespace() == "kiln_plan") {
          op.print(os, mlir::OpPrintingFlags().enableDebugInfo(false));
          os << "\n";
        }
    });
    break;
  case Emit::LLVM: {
    llvm::Expected<std::string> ir = kiln::cpu::emitLLVMIR(module, cpuLevel);
    if (!ir)
      fail(checkpointDir + ": " + llvm::toString(ir.takeError()));
    writeAtomically(outputPath, [&](llvm::raw_ostream &os) { os << *ir; });
    break;
  }
  case Emit::Artifact: {
    mlir::TimingScope codegenTiming = timing.nest("cpu code generation");
    llvm::Expected<kiln::cpu::CpuCode> code = kiln::cpu::emitSharedObject(module, cpuLevel);
    if (!code)
      fail(checkpointDir + ": " + llvm::toString(code.takeError()));
    codegenTiming.stop();
    kiln::TargetCode cpu{"cpu", cpuLevel, std::move(code->sharedObject), {}};
    for (auto &k : code->kernels)
      cpu.kernels.push_back({k.symbol, k.numArgs});
    std::unique_ptr<ProgressLine> progress;
    kiln::WriteOptions options;
    options.interrupted = &interruptedBySignal;
    if (!quiet) {
      progress = std::make_unique<ProgressLine>(outputPath);
      options.progress = [&](uint64_t written, uint64_t total) {
        progress->update(written, total);
      };
    }
    catchInterrupts();
    mlir::TimingScope writeTiming = timing.nest("write artifact");
    llvm::Error e = kiln::writeArtifact(module, checkpointDir, outputPath, {cpu}, options);
    if (progress)
      progress->clear();
    if (e) {
      if (interruptedBySignal) {
        llvm::consumeError(std::move(e));
        llvm::errs() << "kiln-compile: interrupted\n";
        std::exit(1);
      }
      fail(llvm::toString(std::move(e)));
    }
    break;
  }
  }
  return 0;
}
