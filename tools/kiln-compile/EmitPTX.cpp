//===- EmitPTX.cpp - kiln-compile --emit ptx --------------------------------===//
#include "EmitPTX.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace kiln::compile {
namespace {

constexpr llvm::StringLiteral kFormat = "kiln-ptx-1";

llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(path + ": cannot write: " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return llvm::createStringError(path + ": write failed: " + os.error().message());
  return llvm::Error::success();
}

/// ptxas from $KILN_PTXAS (as the test suite and scripts/gpu-check), PATH, then the CUDA
/// toolkit's usual place; empty when there is none.
std::string findPtxas() {
  if (const char *named = std::getenv("KILN_PTXAS"))
    return llvm::sys::fs::can_execute(named) ? std::string(named) : std::string();
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  if (auto found = llvm::sys::findProgramByName("ptxas", {"/usr/local/cuda/bin"}))
    return *found;
  return {};
}

/// ptxas -arch=CHIP PTX -o CUBIN, its diagnostics folded into the error.
llvm::Error assemble(llvm::StringRef ptxas, llvm::StringRef chip, llvm::StringRef ptx,
                     llvm::StringRef cubin) {
  llvm::SmallString<128> log;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("kiln-ptxas", "log", log))
    return llvm::createStringError("cannot create a temporary file: " + ec.message());
  llvm::scope_exit removeLog([&] { llvm::sys::fs::remove(log); });
  std::string arch = ("-arch=" + chip).str();
  llvm::StringRef args[] = {ptxas, arch, ptx, "-o", cubin};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string error;
  int status = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0, 0, &error);
  if (status == 0)
    return llvm::Error::success();
  std::string detail = error;
  if (auto text = llvm::MemoryBuffer::getFile(log))
    detail = (*text)->getBuffer().split('\n').first.str();
  return llvm::createStringError(ptx + ": ptxas failed for " + chip + ": " + detail);
}

} // namespace

llvm::Error emitPTXDirectory(mlir::MLIRContext &context, mlir::ModuleOp graph,
                             llvm::ArrayRef<cuda::CudaChip> chips, llvm::StringRef outDir) {
  // One walk of the graph: the weights, and from them the kernels to plan.
  std::vector<cuda::FP8GemmUse> uses = cuda::collectFP8GemmUses(graph);
  if (uses.empty())
    return llvm::createStringError(
        "--emit ptx: the model has no block-FP8 linear layers (the CUDA GEMMs are FP8 e4m3 "
        "with 128x128 block scales; a bf16 checkpoint has none to emit)");

  // An existing directory is replaced only when kiln-compile wrote it.
  if (llvm::sys::fs::exists(outDir)) {
    llvm::SmallString<128> manifest(outDir);
    llvm::sys::path::append(manifest, "manifest.json");
    auto text = llvm::MemoryBuffer::getFile(manifest);
    if (!text || (*text)->getBuffer().find(kFormat) == llvm::StringRef::npos)
      return llvm::createStringError(outDir + ": exists and is not a kiln-compile --emit ptx "
                                              "directory; not replacing it");
  }
  llvm::SmallString<128> staging;
  llvm::SmallString<128> parent = llvm::sys::path::parent_path(outDir);
  if (parent.empty())
    parent = ".";
  llvm::sys::path::append(parent, llvm::sys::path::filename(outDir) + ".tmp-%%%%%%");
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory(parent, staging))
    return llvm::createStringError(outDir + ": cannot create a directory beside it: " +
                                   ec.message());
  bool kept = false;
  llvm::scope_exit cleanup([&] {
    if (!kept)
      llvm::sys::fs::remove_directories(staging);
  });

  std::string ptxas = findPtxas();
  llvm::json::Array targets;
  // Per use (weight), per chip: the names of the kernels that compute it.
  std::vector<llvm::json::Object> kernelsOfUse(uses.size());
  for (const cuda::CudaChip &chip : chips) {
    for (const cuda::FP8GemmUse &use : uses)
      if (llvm::Error e = cuda::checkFP8GemmUse(chip, use))
        return e;
    cuda::GemmPlan plan = cuda::planFP8GemmsFor(chip, uses);
    llvm::Expected<cuda::CudaTargetCode> code = cuda::emitFP8GemmPTX(context, chip, plan);
    if (!code)
      return code.takeError();
    llvm::SmallString<128> dir(staging);
    llvm::sys::path::append(dir, chip.name);
    if (std::error_code ec = llvm::sys::fs::create_directory(dir))
      return llvm::createStringError(dir + ": " + ec.message());
    llvm::SmallString<128> ptx(dir), cubin(dir);
    llvm::sys::path::append(ptx, "kiln_fp8_gemms.ptx");
    llvm::sys::path::append(cubin, "kiln_fp8_gemms.cubin");
    if (llvm::Error e = writeFile(ptx, code->ptx))
      return e;
    bool haveCubin = !ptxas.empty();
    if (haveCubin)
      if (llvm::Error e = assemble(ptxas, chip.name, ptx, cubin))
        return e;
    for (size_t i = 0; i < uses.size(); ++i) {
      llvm::json::Array names;
      for (const cuda::CudaKernel &k : code->kernels)
        if (cuda::servesFP8Gemm(k, uses[i]))
          names.push_back(k.name);
      if (names.empty())
        return llvm::createStringError(chip.name + ": no kernel computes the GEMM of " +
                                       uses[i].weight + " (a Kiln bug)");
      kernelsOfUse[i][chip.name] = std::move(names);
    }
    llvm::json::Array kernels;
    for (const cuda::CudaKernel &k : code->kernels)
      kernels.push_back(llvm::json::Object{{"name", k.name},
                                           {"n", k.n},
                                           {"k", k.k},
                                           {"bm", k.bm},
                                           {"bn", k.bn},
                                           {"stages", k.stages},
                                           {"threads", k.threads},
                                           {"shared_bytes", k.sharedBytes},
                                           {"layout", k.layout},
                                           {"out", k.out},
                                           {"m", k.mRange},
                                           {"grid", k.grid},
                                           {"splits", k.splits},
                                           {"abi", k.abi}});
    llvm::json::Object target{{"chip", chip.name}, {"ptx", (chip.name + "/kiln_fp8_gemms.ptx").str()},
                              {"kernels", std::move(kernels)}};
    if (haveCubin)
      target["cubin"] = (chip.name + "/kiln_fp8_gemms.cubin").str();
    targets.push_back(std::move(target));
  }
  llvm::json::Object manifest{
      {"format", kFormat},
      {"semantics", "C[M,N] f32 = sum over 128-wide K blocks of (A e4m3 . B e4m3^T) * a_s[m,kb] "
                    "* b_s[n/128,kb]"},
      {"targets", std::move(targets)}};
  // The model's side: which kernels each FP8 weight's GEMM runs, per chip (the runtime picks
  // one by M from the kernel's "m" range).
  llvm::json::Array gemms;
  for (size_t i = 0; i < uses.size(); ++i) {
    llvm::json::Object gemm{{"weight", uses[i].weight},
                            {"scale", uses[i].scale},
                            {"n", uses[i].n},
                            {"k", uses[i].k},
                            {"kernels", std::move(kernelsOfUse[i])}};
    if (uses[i].experts)
      gemm["experts"] = uses[i].experts;
    gemms.push_back(std::move(gemm));
  }
  manifest["gemms"] = std::move(gemms);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest))) << "\n";
  llvm::SmallString<128> manifestPath(staging);
  llvm::sys::path::append(manifestPath, "manifest.json");
  if (llvm::Error e = writeFile(manifestPath, text))
    return e;

  if (llvm::sys::fs::exists(outDir))
    if (std::error_code ec = llvm::sys::fs::remove_directories(outDir))
      return llvm::createStringError(outDir + ": cannot replace it: " + ec.message());
  if (std::error_code ec = llvm::sys::fs::rename(staging, outDir))
    return llvm::createStringError(outDir + ": cannot rename the new directory into place: " +
                                   ec.message());
  kept = true;
  return llvm::Error::success();
}

} // namespace kiln::compile
