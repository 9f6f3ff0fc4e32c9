//===- CpuCodegen.cpp -----------------------------------------------------===//
#include "compiler/targets/cpu/CpuCodegen.h"

#include "compiler/lowering/Kernels.h"
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace kiln::cpu {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Adds `symbol(ptr args, i64 tokens, i64 wg, i64 wgs)` for each lowered kernel `symbol`
/// (renamed `symbol.body`, internal), loading each buffer pointer from `args`.
void addAbiWrappers(ModuleOp module, const std::vector<std::pair<std::string, unsigned>> &kernels) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  for (const auto &[name, numBuffers] : kernels) {
    auto body = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
    std::string inner = name + ".body";
    if (failed(SymbolTable::replaceAllSymbolUses(body, b.getStringAttr(inner), module)))
      continue;
    body.setSymName(inner);
    body.setLinkage(LLVM::Linkage::Internal);
    b.setInsertionPointToEnd(module.getBody());
    auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, i64, i64, i64});
    auto wrapper = LLVM::LLVMFuncOp::create(b, loc, name, type);
    Block *entry = wrapper.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    SmallVector<Value> args;
    for (unsigned i = 0; i < numBuffers; ++i) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, entry->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
    }
    for (unsigned i = 1; i < 4; ++i)
      args.push_back(entry->getArgument(i));
    LLVM::CallOp::create(b, loc, body, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }
}

std::vector<std::pair<std::string, unsigned>> kernelList(ModuleOp module) {
  std::vector<std::pair<std::string, unsigned>> kernels;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn->hasAttr(lowering::kKernelAttr))
      kernels.push_back({fn.getSymName().str(), fn.getNumArguments() - 3});
  return kernels;
}

llvm::TargetMachine *targetMachine(llvm::StringRef cpuLevel, std::string &error) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  llvm::Triple triple("x86_64-unknown-linux-gnu");
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  return target->createTargetMachine(triple, cpuLevel, "", options, llvm::Reloc::PIC_,
                                     std::nullopt, llvm::CodeGenOptLevel::Aggressive);
}

llvm::Expected<std::unique_ptr<llvm::Module>> toLLVM(ModuleOp module, llvm::LLVMContext &llvmCtx,
                                                     llvm::TargetMachine &tm) {
  auto lowered = lowerKernelsToLLVMDialect(module);
  if (!lowered)
    return lowered.takeError();
  registerBuiltinDialectTranslation(*(*lowered)->getContext());
  registerLLVMDialectTranslation(*(*lowered)->getContext());
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(**lowered, llvmCtx, "kiln_cpu");
  if (!llvmModule)
    return fail("cannot translate the CPU kernels to LLVM IR");
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  // The usual -O3 pipeline: inlining of the ABI wrappers, loop optimisation, vectorisation.
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*llvmModule, mam);
  return std::move(llvmModule);
}

} // namespace

llvm::Expected<OwningOpRef<ModuleOp>> lowerKernelsToLLVMDialect(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<LLVM::LLVMDialect>();
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  b.setInsertionPointToEnd(kernels->getBody());
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn->hasAttr(lowering::kKernelAttr))
      b.clone(*fn);
  auto list = kernelList(*kernels);
  if (list.empty())
    return fail("the module has no kernels (run kiln-lower-to-kernels first)");

  // exp (softmax, SiLU, sigmoid) as polynomials: the shared object imports no libm.
  RewritePatternSet approximations(ctx);
  populateMathPolynomialApproximationPatterns(
      approximations, [](StringRef name) { return name == "exp" || name == "math.exp"; });
  if (failed(applyPatternsGreedily(*kernels, std::move(approximations))))
    return fail("cannot approximate math functions in the CPU kernels");

  PassManager pm = PassManager::on<ModuleOp>(ctx);
  pm.addPass(kiln::createExpandF8());
  if (failed(parsePassPipeline(
          "math-expand-ops{ops=fma},convert-scf-to-cf,finalize-memref-to-llvm,"
          "convert-math-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,"
          "convert-func-to-llvm{use-bare-ptr-memref-call-conv=true},reconcile-unrealized-casts",
          pm)))
    return fail("cannot parse the CPU lowering pipeline");
  if (failed(pm.run(*kernels)))
    return fail("cannot lower the CPU kernels to the LLVM dialect");
  addAbiWrappers(*kernels, list);
  return std::move(kernels);
}

namespace {
/// The kernels as optimised LLVM IR, with the TargetMachine that will emit them.
struct Optimised {
  std::unique_ptr<llvm::TargetMachine> tm;
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
};

llvm::Expected<Optimised> optimise(ModuleOp module, llvm::StringRef cpuLevel) {
  Optimised out;
  std::string error;
  out.tm.reset(targetMachine(cpuLevel, error));
  if (!out.tm)
    return fail("no x86-64 target in LLVM: " + error);
  auto llvmModule = toLLVM(module, *out.context, *out.tm);
  if (!llvmModule)
    return llvmModule.takeError();
  out.module = std::move(*llvmModule);
  return std::move(out);
}
} // namespace

llvm::Expected<std::string> emitLLVMIR(ModuleOp module, llvm::StringRef cpuLevel) {
  auto optimised = optimise(module, cpuLevel);
  if (!optimised)
    return optimised.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  optimised->module->print(os, nullptr);
  return text;
}

llvm::Expected<CpuCode> emitSharedObject(ModuleOp module, llvm::StringRef cpuLevel) {
  auto optimised = optimise(module, cpuLevel);
  if (!optimised)
    return optimised.takeError();
  llvm::TargetMachine *tm = optimised->tm.get();

  llvm::SmallString<0> object;
  {
    llvm::raw_svector_ostream os(object);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
      return fail("the x86-64 target cannot emit object files");
    codegen.run(*optimised->module);
  }

  // Link with a temporary directory that is always removed.
  llvm::SmallString<128> dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("kiln-cpu", dir))
    return fail("cannot create a temporary directory: " + ec.message());
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(dir); });
  std::string objPath = (dir + "/kernels.o").str(), soPath = (dir + "/kernels.so").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objPath, ec);
    if (ec)
      return fail(objPath + ": " + ec.message());
    os << object;
  }
  std::string linker;
  for (const char *candidate : {"ld.lld-22", "ld.lld", "ld"})
    if (auto found = llvm::sys::findProgramByName(candidate)) {
      linker = *found;
      break;
    }
  if (linker.empty())
    return fail("no linker found (install lld-22 or binutils) to link the CPU kernels");
  std::vector<llvm::StringRef> argv = {linker,  "-shared", "--build-id=none", "-z",
                                       "noexecstack", "--hash-style=gnu", "-o", soPath, objPath};
  std::string linkError;
  int rc = llvm::sys::ExecuteAndWait(linker, argv, std::nullopt, {}, 0, 0, &linkError);
  if (rc != 0)
    return fail("linking the CPU kernels with " + linker + " failed" +
                (linkError.empty() ? "" : ": " + linkError));
  auto so = llvm::MemoryBuffer::getFile(soPath);
  if (!so)
    return fail(soPath + ": " + so.getError().message());

  CpuCode code;
  code.sharedObject = (*so)->getBuffer().str();
  for (auto &[name, numBuffers] : kernelList(module))
    code.kernels.push_back({name, numBuffers});
  return code;
}

} // namespace kiln::cpu
