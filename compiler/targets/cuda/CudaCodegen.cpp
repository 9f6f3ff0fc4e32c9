//===- CudaCodegen.cpp - a model's FP8 GEMMs as PTX per GPU target ----------===//
#include "compiler/targets/cuda/CudaCodegen.h"

#include "dialects/kiln/KilnOps.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;

namespace kiln::cuda {
namespace {

// The lowest PTX ISA each chip allows, so that older drivers can JIT the PTX.
constexpr CudaChip kChips[] = {{"sm_90a", "+ptx80"}};

/// Collects the diagnostics of a failed lowering into one line.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext &context)
      : handler(&context, [this](Diagnostic &d) {
          if (d.getSeverity() == DiagnosticSeverity::Error && text.empty())
            text = d.str();
          return success();
        }) {}
  std::string text;

private:
  ScopedDiagnosticHandler handler;
};

} // namespace

llvm::Expected<CudaChip> lookupCudaChip(llvm::StringRef name) {
  for (const CudaChip &chip : kChips)
    if (chip.name == name)
      return chip;
  if (name == "sm_89" || name == "sm_80" || name == "sm_86")
    return llvm::createStringError(
        "--target " + name.str() +
        ": the mma.sync FP8 GEMMs for this chip exist only as compiler/targets/cuda/"
        "gen_fp8_gemm_mma.py's bundle kernels (scripts/gpu-check); kiln-compile emits sm_90a");
  return llvm::createStringError("--target " + name.str() +
                                 ": unknown target (expected cpu or sm_90a)");
}

std::vector<std::pair<int64_t, int64_t>> collectFP8GemmShapes(ModuleOp graph) {
  std::set<std::pair<int64_t, int64_t>> shapes;
  graph.walk([&](kiln::LinearOp linear) {
    auto weight =
        SymbolTable::lookupNearestSymbolFrom<kiln::WeightOp>(linear, linear.getWeightAttr());
    if (!weight || !weight.getScaleAttr())
      return;
    auto type = cast<RankedTensorType>(weight.getType());
    shapes.insert({type.getDimSize(type.getRank() - 2), type.getDimSize(type.getRank() - 1)});
  });
  return {shapes.begin(), shapes.end()};
}

llvm::Error buildFP8GemmKernels(ModuleOp module, llvm::ArrayRef<Sm90GemmTile> tiles,
                                std::vector<CudaKernel> *kernels) {
  MLIRContext &context = *module.getContext();
  context.loadDialect<gpu::GPUDialect, LLVM::LLVMDialect, NVVM::NVVMDialect, arith::ArithDialect,
                      scf::SCFDialect>();
  for (const Sm90GemmTile &tile : tiles)
    if (llvm::Error e = checkSm90GemmTile(tile))
      return e;
  Location loc = module.getLoc();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), UnitAttr::get(&context));
  OpBuilder builder(&context);
  builder.setInsertionPointToEnd(module.getBody());
  auto gpuModule = gpu::GPUModuleOp::create(builder, loc, "kiln_fp8_gemms");
  builder.setInsertionPointToStart(gpuModule.getBody());
  buildSm90DynamicSharedMemory(builder, loc);
  std::set<std::string> built;
  for (const Sm90GemmTile &tile : tiles) {
    if (!built.insert(sm90GemmName(tile)).second)
      continue;
    gpu::GPUFuncOp func = buildSm90FP8Gemm(builder, loc, tile);
    builder.setInsertionPointAfter(func);
    if (kernels)
      kernels->push_back({sm90GemmName(tile), tile, sm90GemmThreads(tile),
                          sm90GemmSharedBytes(tile)});
  }
  if (failed(mlir::verify(gpuModule)))
    return llvm::createStringError("the generated FP8 GEMM module does not verify (a Kiln bug)");
  return llvm::Error::success();
}

std::vector<std::pair<int64_t, int64_t>> collectFP8ExpertGemmShapes(ModuleOp graph) {
  std::set<std::pair<int64_t, int64_t>> shapes;
  graph.walk([&](kiln::MoEExpertsOp experts) {
    for (mlir::FlatSymbolRefAttr ref :
         {experts.getGateAttr(), experts.getUpAttr(), experts.getDownAttr()}) {
      auto weight = SymbolTable::lookupNearestSymbolFrom<kiln::WeightOp>(experts, ref);
      if (!weight || !weight.getScaleAttr())
        continue;
      auto type = cast<RankedTensorType>(weight.getType());
      shapes.insert({type.getDimSize(type.getRank() - 2), type.getDimSize(type.getRank() - 1)});
    }
  });
  return {shapes.begin(), shapes.end()};
}

std::vector<Sm90GemmTile> planFP8Gemms(llvm::ArrayRef<std::pair<int64_t, int64_t>> dense,
                                       llvm::ArrayRef<std::pair<int64_t, int64_t>> experts) {
  std::vector<Sm90GemmTile> tiles;
  auto add = [&](int64_t n, int64_t k, bool smallM, Sm90GemmLayout layout) {
    Sm90GemmTile tile = chooseSm90GemmTile(n, k, smallM);
    tile.layout = layout;
    tile.bf16Out = !smallM;
    tiles.push_back(tile);
  };
  for (auto [n, k] : dense) {
    add(n, k, /*smallM=*/false, Sm90GemmLayout::Dense);
    add(n, k, /*smallM=*/true, Sm90GemmLayout::Dense);
  }
  for (auto [n, k] : experts) {
    add(n, k, /*smallM=*/false, Sm90GemmLayout::GroupedContiguous);
    add(n, k, /*smallM=*/true, Sm90GemmLayout::GroupedMasked);
  }
  return tiles;
}

llvm::Expected<OwningOpRef<ModuleOp>>
buildFP8GemmModule(MLIRContext &context, const CudaChip &chip, llvm::ArrayRef<Sm90GemmTile> tiles,
                   std::vector<CudaKernel> *kernels) {
  (void)chip; // one kernel family so far: sm_90a's
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
  if (llvm::Error e = buildFP8GemmKernels(*module, tiles, kernels))
    return std::move(e);
  return module;
}

llvm::Expected<CudaTargetCode> emitFP8GemmPTX(MLIRContext &context, const CudaChip &chip,
                                              llvm::ArrayRef<Sm90GemmTile> tiles,
                                              llvm::raw_ostream *printKernelIR) {
  // What the lowering needs beyond the dialects: convert-gpu-to-nvvm takes the arith, cf and ub
  // patterns from their ConvertToLLVM interfaces, and gpu-module-to-binary needs the NVVM
  // target attribute's implementation and the translation of every dialect left to LLVM IR.
  // (kiln-opt gets all of these from registerAllExtensions; kiln-compile registers only these.)
  DialectRegistry registry;
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  context.appendDialectRegistry(registry);

  CudaTargetCode code;
  code.chip = chip.name.str();
  auto module = buildFP8GemmModule(context, chip, tiles, &code.kernels);
  if (!module)
    return module.takeError();
  if (printKernelIR)
    (*module)->print(*printKernelIR);

  PassManager pm(&context);
  GpuNVVMAttachTargetOptions target;
  target.chip = chip.name.str();
  target.features = chip.features.str();
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &gpuPm = pm.nest<gpu::GPUModuleOp>();
  gpuPm.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.useBarePtrCallConv = true;
  gpuPm.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  gpuPm.addPass(createConvertNVVMToLLVMPass());
  gpuPm.addPass(createCanonicalizerPass());
  gpuPm.addPass(createCSEPass());
  gpuPm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions toBinary;
  toBinary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(toBinary));
  DiagnosticCollector diagnostics(context);
  if (failed(pm.run(**module)))
    return llvm::createStringError("lowering the " + chip.name.str() + " GEMMs to PTX failed: " +
                                   diagnostics.text);
  for (auto binary : (*module)->getBody()->getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      code.ptx += cast<gpu::ObjectAttr>(object).getObject().getValue().str();
  if (code.ptx.empty())
    return llvm::createStringError("lowering the " + chip.name.str() +
                                   " GEMMs produced no PTX (a Kiln bug)");
  return code;
}

} // namespace kiln::cuda
