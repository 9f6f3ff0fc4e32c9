//===- CudaCodegen.cpp - a model's FP8 GEMMs as PTX per GPU target ----------===//
#include "compiler/targets/cuda/CudaCodegen.h"

#include "dialects/kiln/KilnOps.h"
#include "passes/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;

namespace kiln::cuda {
namespace {

// The lowest PTX ISA each chip allows, so that older drivers can JIT the PTX.
// sm_89's e4m3 mma.sync intrinsic is selected by LLVM only with PTX ISA 8.4.
constexpr CudaChip kChips[] = {{"sm_90a", "+ptx80"}, {"sm_89", "+ptx84"}, {"sm_80", "+ptx70"}};

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
  return llvm::createStringError("--target " + name.str() +
                                 ": unknown target (expected cpu, sm_90a, sm_89 or sm_80; sm_86 "
                                 "runs sm_80's PTX)");
}

std::vector<FP8GemmUse> collectFP8GemmUses(ModuleOp graph) {
  // Every block-FP8 weight is the B operand of a GEMM, whichever op multiplies by it (a
  // kiln.linear, the MLA projections of kiln.mla.*, the V3.2 indexer's, kiln.moe.experts), so
  // the uses are found through the weight references of any op, not op by op.
  llvm::DenseMap<mlir::StringAttr, kiln::WeightOp> fp8Weights;
  for (auto weight : graph.getBody()->getOps<kiln::WeightOp>())
    if (weight.getScaleAttr())
      fp8Weights[weight.getSymNameAttr()] = weight;
  std::vector<FP8GemmUse> uses;
  llvm::DenseSet<mlir::StringAttr> seen;
  graph.walk([&](Operation *op) {
    if (isa<kiln::WeightOp>(op))
      return;
    for (NamedAttribute attribute : op->getAttrs()) {
      auto ref = dyn_cast<FlatSymbolRefAttr>(attribute.getValue());
      if (!ref)
        continue;
      auto found = fp8Weights.find(ref.getAttr());
      if (found == fp8Weights.end() || !seen.insert(ref.getAttr()).second)
        continue;
      kiln::WeightOp weight = found->second;
      auto type = cast<RankedTensorType>(weight.getType());
      FP8GemmUse use;
      use.weight = weight.getSymName().str();
      use.scale = weight.getScaleAttr().getValue().str();
      use.n = type.getDimSize(type.getRank() - 2);
      use.k = type.getDimSize(type.getRank() - 1);
      use.experts = type.getRank() == 3 ? type.getDimSize(0) : 0;
      uses.push_back(std::move(use));
    }
  });
  return uses;
}

std::vector<std::pair<int64_t, int64_t>> fp8GemmShapes(llvm::ArrayRef<FP8GemmUse> uses,
                                                       bool experts) {
  std::set<std::pair<int64_t, int64_t>> shapes;
  for (const FP8GemmUse &use : uses)
    if ((use.experts > 0) == experts)
      shapes.insert({use.n, use.k});
  return {shapes.begin(), shapes.end()};
}

bool servesFP8Gemm(const CudaKernel &kernel, const FP8GemmUse &use) {
  return kernel.n == use.n && kernel.k == use.k && (kernel.layout == "dense") == !use.experts;
}

namespace {

CudaKernel describe(const Sm90GemmTile &t) {
  CudaKernel k;
  k.name = sm90GemmName(t);
  k.n = t.n, k.k = t.k, k.bm = t.bm, k.bn = t.bn, k.stages = t.stages;
  k.threads = sm90GemmThreads(t);
  k.sharedBytes = sm90GemmSharedBytes(t);
  k.layout = fp8GemmLayoutName(t.layout);
  k.out = t.bf16Out ? "bf16" : "f32";
  if (t.swapAB)
    k.mRange = "m <= " + std::to_string(t.bm) + " (swap A/B)";
  else if (t.layout != FP8GemmLayout::Dense)
    k.mRange = t.bm == 64 ? "m <= 64" : "m > 64";
  else
    k.mRange = t.bm == 64 ? "m <= 64" : t.bf16Out ? "m > 128" : "64 < m <= 128";
  k.grid = t.cluster == 2
               ? "(2 * min(units, multiprocessors / 2), 1, 1) in clusters of 2 (fixed in the "
                 "kernel), units = ceil(ceil(M/bm) / 2) * ceil(N/bn) * splits"
               : "(min(units, multiprocessors), 1, 1), units = ceil(M/bm) * ceil(N/bn) * splits";
  k.splits = t.bf16Out ? "1 (bf16 output takes no split-K)"
                       : "clamp(multiprocessors / (ceil(M/bm) * ceil(N/bn)), 1, max(1, "
                         "ceil(K/128) / 12)); with splits > 1 the kernel adds into C, which "
                         "must be zeroed";
  k.abi = t.layout == FP8GemmLayout::Dense
              ? "a_s, b_s, c, tmap_a, tmap_b: pointers; m, splits: i32"
              : "a_s, b_s, c, tmap_a, tmap_b: pointers; m, splits: i32; groups: pointer to i32; "
                "num_groups: i32";
  if (t.cluster == 2)
    k.abi += "; tmap_b's box is bn / 2 rows (each CTA of a cluster loads half the weight tile)";
  if (t.tmaStore)
    k.abi += "; tmap_c: pointer to a CUtensorMap of C (bf16, dims {N, m}: exactly m rows, as "
             "rows past them are clipped by TMA, not by the kernel; row stride N * 2 bytes, box "
             "64 x 64, 128-byte swizzle)";
  return k;
}

CudaKernel describe(const MmaGemmTile &t) {
  CudaKernel k;
  k.name = mmaGemmName(t);
  k.n = t.n, k.k = t.k, k.bm = kMmaGemmTileM, k.bn = t.bn, k.stages = mmaGemmStages(t);
  k.threads = kMmaGemmThreads;
  k.sharedBytes = mmaGemmSharedBytes(t);
  k.layout = fp8GemmLayoutName(t.layout);
  k.out = "f32";
  k.mRange = "any m";
  k.grid = t.layout == FP8GemmLayout::GroupedMasked ? "(ceil(N/bn), num_groups * ceil(M/64), 1)"
                                                    : "(ceil(N/bn), ceil(M/64), 1)";
  k.splits = "none";
  k.abi = t.layout == FP8GemmLayout::Dense
              ? "a, a_s, b, b_s, c: pointers; m: i32"
              : "a, a_s, b, b_s, c: pointers; m: i32; groups: pointer to i32; num_groups: i32";
  return k;
}

} // namespace

llvm::Error buildFP8GemmKernels(ModuleOp module, const GemmPlan &plan,
                                std::vector<CudaKernel> *kernels) {
  MLIRContext &context = *module.getContext();
  context.loadDialect<gpu::GPUDialect, LLVM::LLVMDialect, NVVM::NVVMDialect, arith::ArithDialect,
                      scf::SCFDialect, vector::VectorDialect>();
  for (const Sm90GemmTile &tile : plan.sm90)
    if (llvm::Error e = checkSm90GemmTile(tile))
      return e;
  for (const MmaGemmTile &tile : plan.mma)
    if (llvm::Error e = checkMmaGemmTile(tile))
      return e;
  Location loc = module.getLoc();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), UnitAttr::get(&context));
  OpBuilder builder(&context);
  builder.setInsertionPointToEnd(module.getBody());
  auto gpuModule = gpu::GPUModuleOp::create(builder, loc, "kiln_fp8_gemms");
  builder.setInsertionPointToStart(gpuModule.getBody());
  buildSm90DynamicSharedMemory(builder, loc);
  std::set<std::string> built;
  auto add = [&](const auto &tile, auto build) {
    CudaKernel kernel = describe(tile);
    if (!built.insert(kernel.name).second)
      return;
    gpu::GPUFuncOp func = build(builder, loc, tile);
    builder.setInsertionPointAfter(func);
    if (kernels)
      kernels->push_back(std::move(kernel));
  };
  for (const Sm90GemmTile &tile : plan.sm90)
    add(tile, buildSm90FP8Gemm);
  for (const MmaGemmTile &tile : plan.mma)
    add(tile, buildMmaFP8Gemm);
  if (failed(mlir::verify(gpuModule)))
    return llvm::createStringError("the generated FP8 GEMM module does not verify (a Kiln bug)");
  return llvm::Error::success();
}

std::vector<Sm90GemmTile> planFP8Gemms(llvm::ArrayRef<std::pair<int64_t, int64_t>> dense,
                                       llvm::ArrayRef<std::pair<int64_t, int64_t>> experts) {
  std::vector<Sm90GemmTile> tiles;
  auto add = [&](int64_t n, int64_t k, bool smallM, FP8GemmLayout layout, bool bf16Out) {
    Sm90GemmTile tile = chooseSm90GemmTile(n, k, smallM);
    tile.layout = layout;
    tile.bf16Out = bf16Out;
    tiles.push_back(tile);
  };
  // Dense: M <= 64 takes BM 64 with split-K; 64 < M <= 128 BM 128 with split-K, measured on an
  // H100 (bench/RESULTS.md) 1.03-1.48x faster at M = 128 than the bf16 kernel, which takes no
  // split; larger M the bf16 kernel. Split-K adds partial sums in f32, so those two are f32.
  for (auto [n, k] : dense) {
    add(n, k, /*smallM=*/false, FP8GemmLayout::Dense, /*bf16Out=*/true);
    add(n, k, /*smallM=*/false, FP8GemmLayout::Dense, /*bf16Out=*/false);
    add(n, k, /*smallM=*/true, FP8GemmLayout::Dense, /*bf16Out=*/false);
  }
  for (auto [n, k] : experts) {
    add(n, k, /*smallM=*/false, FP8GemmLayout::GroupedContiguous, /*bf16Out=*/true);
    add(n, k, /*smallM=*/true, FP8GemmLayout::GroupedMasked, /*bf16Out=*/false);
  }
  return tiles;
}

GemmPlan planFP8GemmsFor(const CudaChip &chip, llvm::ArrayRef<std::pair<int64_t, int64_t>> dense,
                         llvm::ArrayRef<std::pair<int64_t, int64_t>> experts) {
  GemmPlan plan;
  if (chip.name == "sm_90a") {
    plan.sm90 = planFP8Gemms(dense, experts);
    return plan;
  }
  // One kernel serves every M here (no split-K, no persistence): per expert shape, the grouped
  // contiguous kernel (prefill) and the masked one (decode).
  const bool e4m3Mma = chip.name == "sm_89";
  for (auto [n, k] : dense)
    plan.mma.push_back(chooseMmaGemmTile(e4m3Mma, n, k));
  for (auto [n, k] : experts)
    for (FP8GemmLayout layout : {FP8GemmLayout::GroupedContiguous, FP8GemmLayout::GroupedMasked}) {
      MmaGemmTile tile = chooseMmaGemmTile(e4m3Mma, n, k);
      tile.layout = layout;
      plan.mma.push_back(tile);
    }
  return plan;
}

GemmPlan planFP8GemmsFor(const CudaChip &chip, llvm::ArrayRef<FP8GemmUse> uses) {
  return planFP8GemmsFor(chip, fp8GemmShapes(uses, /*experts=*/false),
                         fp8GemmShapes(uses, /*experts=*/true));
}

llvm::Error checkFP8GemmUse(const CudaChip &chip, const FP8GemmUse &use) {
  std::pair<int64_t, int64_t> shape{use.n, use.k};
  GemmPlan plan =
      use.experts ? planFP8GemmsFor(chip, {}, {shape}) : planFP8GemmsFor(chip, {shape}, {});
  for (const Sm90GemmTile &tile : plan.sm90)
    if (llvm::Error e = checkSm90GemmTile(tile))
      return llvm::createStringError(use.weight + ": " + llvm::toString(std::move(e)));
  for (const MmaGemmTile &tile : plan.mma)
    if (llvm::Error e = checkMmaGemmTile(tile))
      return llvm::createStringError(use.weight + ": " + llvm::toString(std::move(e)));
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>>
buildFP8GemmModule(MLIRContext &context, const GemmPlan &plan, std::vector<CudaKernel> *kernels) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
  if (llvm::Error e = buildFP8GemmKernels(*module, plan, kernels))
    return std::move(e);
  return module;
}

llvm::Expected<CudaTargetCode> emitFP8GemmPTX(MLIRContext &context, const CudaChip &chip,
                                              const GemmPlan &plan,
                                              llvm::raw_ostream *printKernelIR) {
  // What the lowering needs beyond the dialects: convert-gpu-to-nvvm takes the arith, cf and ub
  // patterns from their ConvertToLLVM interfaces, and gpu-module-to-binary needs the NVVM
  // target attribute's implementation and the translation of every dialect left to LLVM IR.
  // (kiln-opt gets all of these from registerAllExtensions; kiln-compile registers only these.)
  DialectRegistry registry;
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  context.appendDialectRegistry(registry);

  CudaTargetCode code;
  code.chip = chip.name.str();
  auto module = buildFP8GemmModule(context, plan, &code.kernels);
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
  // sm_80's kernels widen e4m3 with arith.extf, which only kiln-expand-f8 lowers.
  gpuPm.addPass(kiln::createExpandF8());
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
