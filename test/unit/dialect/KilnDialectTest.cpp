// Unit tests of the kiln dialect's C++ API: building ops the way the frontend will, the
// verifier's answers on built IR, and the helpers the verifiers share.
#include "dialects/kiln/KilnOps.h"
#include "dialects/kiln/KilnVerify.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class KilnDialectTest : public ::testing::Test {
protected:
  KilnDialectTest() { context.loadDialect<kiln::KilnDialect, func::FuncDialect>(); }

  /// Verifies `module`, returning the first diagnostic ("" when it verifies).
  std::string verifyAndCapture(ModuleOp module) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    if (succeeded(verify(module)))
      return "";
    return message.empty() ? "<failed without a diagnostic>" : message;
  }

  /// A module with an FP8 linear weight `[out, in]` and its scales, and a function applying it
  /// to `[?, xWidth]` activations.
  OwningOpRef<ModuleOp> buildLinear(int64_t out, int64_t in, int64_t xWidth,
                                    ArrayRef<int64_t> scaleShape) {
    OpBuilder b(&context);
    Location loc = b.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    b.setInsertionPointToEnd(module->getBody());
    auto f8 = b.getType<Float8E4M3FNType>();
    kiln::WeightOp::create(b, loc, "w.scale", RankedTensorType::get(scaleShape, b.getF32Type()),
                           /*quant=*/nullptr, /*scale=*/nullptr, /*source=*/nullptr);
    kiln::WeightOp::create(b, loc, "w", RankedTensorType::get({out, in}, f8),
                           kiln::BlockFP8Attr::get(&context, {128, 128}, b.getF32Type()),
                           FlatSymbolRefAttr::get(&context, "w.scale"),
                           b.getArrayAttr({kiln::SourceAttr::get(&context, "model.safetensors",
                                                                  4096, out * in)}));
    auto xType = RankedTensorType::get({ShapedType::kDynamic, xWidth}, b.getF32Type());
    auto yType = RankedTensorType::get({ShapedType::kDynamic, out}, b.getF32Type());
    auto func = func::FuncOp::create(b, loc, "f", b.getFunctionType({xType}, {yType}));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    Value y = kiln::LinearOp::create(b, loc, yType, entry->getArgument(0), /*input_scale=*/Value(),
                                     FlatSymbolRefAttr::get(&context, "w"));
    func::ReturnOp::create(b, loc, y);
    return module;
  }

  MLIRContext context;
};

TEST_F(KilnDialectTest, BuiltLinearVerifies) {
  // 300 x 200 with 128-blocks: ceil(300/128) = 3 by ceil(200/128) = 2 scales.
  OwningOpRef<ModuleOp> module = buildLinear(300, 200, 200, {3, 2});
  EXPECT_EQ(verifyAndCapture(*module), "");
}

TEST_F(KilnDialectTest, PartialBlockScalesAreChecked) {
  OwningOpRef<ModuleOp> module = buildLinear(300, 200, 200, {2, 2});
  EXPECT_EQ(verifyAndCapture(*module),
            "'kiln.weight' op weight @w.scale (block scales) has shape [2, 2], expected [3, 2]");
}

TEST_F(KilnDialectTest, LinearChecksItsWeight) {
  OwningOpRef<ModuleOp> module = buildLinear(300, 200, 256, {3, 2});
  EXPECT_EQ(verifyAndCapture(*module),
            "'kiln.linear' op weight @w (weight) has shape [300, 200], expected [300, 256]");
}

TEST_F(KilnDialectTest, PrintedIRParsesBack) {
  OwningOpRef<ModuleOp> module = buildLinear(300, 200, 200, {3, 2});
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os);
  OwningOpRef<ModuleOp> reparsed = parseSourceString<ModuleOp>(printed, &context);
  ASSERT_TRUE(reparsed);
  std::string again;
  llvm::raw_string_ostream os2(again);
  reparsed->print(os2);
  EXPECT_EQ(printed, again);
  EXPECT_NE(printed.find("#kiln.source<\"model.safetensors\", 4096, 60000>"), std::string::npos);
}

TEST_F(KilnDialectTest, AttributeAccessors) {
  auto shape = kiln::MLAShapeAttr::get(&context, /*heads=*/128, /*q_lora=*/1536, /*kv_lora=*/512,
                                       /*nope=*/128, /*rope=*/64, /*v=*/128);
  EXPECT_EQ(shape.getQkHeadDim(), 192);
  EXPECT_TRUE(shape.hasQLora());
  auto cache = kiln::KVCacheType::get(&context, 61, 512, 64, 0, 64, Builder(&context).getBF16Type());
  EXPECT_EQ(cache.getLayers(), 61);
  EXPECT_EQ(kiln::KilnDialect::getActScaleRoundingAttrName(), "kiln.act_scale_rounding");
}

TEST(KilnVerifyHelpers, ShapesAndDims) {
  EXPECT_EQ(kiln::formatShape({4, ShapedType::kDynamic, 16}), "[4, ?, 16]");
  EXPECT_EQ(kiln::formatDim(ShapedType::kDynamic), "?");
  EXPECT_EQ(kiln::ceilDivDim(300, 128), 3);
  EXPECT_EQ(kiln::ceilDivDim(256, 128), 2);
  EXPECT_TRUE(ShapedType::isDynamic(kiln::ceilDivDim(ShapedType::kDynamic, 128)));
  EXPECT_TRUE(kiln::dimsCompatible(ShapedType::kDynamic, 7));
  EXPECT_FALSE(kiln::dimsCompatible(6, 7));
}

} // namespace
