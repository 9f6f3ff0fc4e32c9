//===- ArtifactWriter.cpp - graph IR + checkpoint → a .kiln artifact ------------===//

#include "compiler/artifact/ArtifactWriter.h"

#include "ArtifactFormat.h"
#include "artifact_generated.h"
#include "compiler/lowering/RopeTable.h"
#include "dialects/kiln/KilnOps.h"
#include "dialects/plan/KilnPlanDialect.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace kiln {

namespace {

Error fileError(const llvm::Twine &file, const llvm::Twine &problem) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), (file + ": " + problem).str());
}

/// A test hook's number from the environment, or -1.
long long testHook(const char *name) {
  const char *v = std::getenv(name);
  return v && *v ? std::atoll(v) : -1LL;
}

/// Whole bytes with a readable size beside them: "123456789 bytes (117.7 MiB)".
std::string bytesText(uint64_t bytes) {
  static const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  std::string text = std::to_string(bytes) + " bytes";
  if (bytes < 1024)
    return text;
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, " (%.1f %s)", value, units[unit]);
  return text + buffer;
}

/// What the writer reports to and hears from its caller while the bytes go out.
struct Progress {
  const WriteOptions *options = nullptr;
  uint64_t total = 0;
  long long enospcAfter = -1; // KILN_TEST_ENOSPC_AFTER_BYTES

  bool interrupted() const {
    return options && options->interrupted && *options->interrupted != 0;
  }
  void report(uint64_t written) const {
    if (options && options->progress)
      options->progress(written, std::max(total, written));
  }
};

/// Appends sections to the output, each at a 4 KiB-aligned offset, hashing as it goes.
class SectionStream {
public:
  SectionStream(int fd, StringRef outputPath, const Progress *progress = nullptr,
                uint64_t offset = 0)
      : fd(fd), outputPath(outputPath), progress(progress), offset(offset) {}

  uint64_t position() const { return offset; }
  void setFd(int newFd) { fd = newFd; }

  Error write(const void *data, size_t size) {
    if (progress && progress->interrupted())
      return fileError(outputPath, "interrupted");
    const char *bytes = static_cast<const char *>(data);
    while (size > 0) {
      size_t ask = size;
      bool full = false;
      if (progress && progress->enospcAfter >= 0) {
        uint64_t room = offset < static_cast<uint64_t>(progress->enospcAfter)
                            ? static_cast<uint64_t>(progress->enospcAfter) - offset
                            : 0;
        if (room < ask) {
          ask = static_cast<size_t>(room);
          full = true;
        }
      }
      ssize_t done = ask > 0 ? ::pwrite(fd, bytes, ask, offset) : 0;
      if (done < 0 && errno == EINTR)
        continue;
      if (done < 0 || (done == 0 && full)) {
        int code = done < 0 ? errno : ENOSPC;
        std::string problem = std::string("write failed: ") + std::strerror(code);
        if (code == ENOSPC || code == EDQUOT)
          problem += " after " + bytesText(offset) +
                     (progress ? " of " + bytesText(progress->total) : std::string()) +
                     "; nothing was left behind";
        return fileError(outputPath, problem);
      }
      bytes += done;
      size -= static_cast<size_t>(done);
      offset += static_cast<uint64_t>(done);
    }
    if (progress)
      progress->report(offset);
    return Error::success();
  }

  Error padToAlignment() {
    static const char zeros[artifact::kAlignment] = {};
    return write(zeros, artifact::alignUp(offset) - offset);
  }

private:
  int fd;
  StringRef outputPath;
  const Progress *progress;
  uint64_t offset;
};

class Writer {
public:
  Writer(ModuleOp module, StringRef checkpointDir, StringRef outputPath,
         ArrayRef<TargetCode> targets, const WriteOptions &options)
      : module(module), checkpointDir(checkpointDir), out(-1, outputPath, &progress),
        outputPath(outputPath), targets(targets) {
    progress.options = &options;
    progress.enospcAfter = testHook("KILN_TEST_ENOSPC_AFTER_BYTES");
  }

  ~Writer() {
    for (auto &entry : inputs)
      ::close(entry.getValue());
  }

  /// The artifact's size, before anything is written: every section at its 4 KiB-aligned
  /// offset (the checkpoint's byte ranges, the tokenizer files, the RoPE tables, the code) and
  /// a bound on the header. Computes the RoPE tables, which writeCode() then writes.
  Expected<uint64_t> plannedBytes() {
    uint64_t position = artifact::kAlignment; // the preamble's block
    uint64_t header = 64u << 10;
    auto add = [&](uint64_t size) { position = artifact::alignUp(position) + size; };
    auto text = [](StringRef s) { return uint64_t{s.size()} + 16; };
    for (WeightOp weight : module.getOps<WeightOp>()) {
      uint64_t size = 0;
      if (auto source = weight.getSource())
        for (auto range : source->getAsRange<SourceAttr>())
          size += range.getSize();
      add(size);
      header += 2 * text(weight.getSymName()) + 256;
    }
    if (auto model = module->getAttrOfType<DictionaryAttr>(KilnDialect::getModelAttrName())) {
      for (NamedAttribute fact : model) {
        header += text(fact.getName().strref()) + 64;
        if (auto s = dyn_cast<StringAttr>(fact.getValue()))
          header += text(s.getValue());
      }
      if (auto file = model.getAs<StringAttr>("tokenizer")) {
        for (StringRef name : {file.getValue(), StringRef("tokenizer_config.json")}) {
          llvm::SmallString<256> path(checkpointDir);
          llvm::sys::path::append(path, name);
          uint64_t size = 0;
          if (!llvm::sys::fs::file_size(path, size)) {
            add(size);
            header += text(name) + 128;
          }
        }
      }
    }
    if (!targets.empty()) {
      for (auto table : module.getOps<plan::RopeTableOp>()) {
        lowering::RopeParams p;
        p.dim = table.getDim();
        p.positions = table.getPositions();
        p.theta = table.getTheta().convertToDouble();
        p.factor = table.getFactor().convertToDouble();
        p.original = table.getOriginal();
        p.betaFast = table.getBetaFast().convertToDouble();
        p.betaSlow = table.getBetaSlow().convertToDouble();
        p.attentionFactor = table.getAttentionFactor().convertToDouble();
        ropeTables.push_back(lowering::computeRopeTable(p));
        add(ropeTables.back().size() * 4);
        header += text(table.getSymName()) + 128;
      }
      for (const TargetCode &target : targets) {
        add(target.code.size());
        header += 1024;
        for (auto &kernel : target.kernels)
          header += text(kernel.first) + 64;
        for (auto entry : module.getOps<plan::EntryOp>())
          for (auto launch : entry.getBody().getOps<plan::LaunchOp>())
            header += 64 + 48 * uint64_t{launch.getArgs().size()};
      }
    }
    add(header);
    progress.total = position;
    return position;
  }

  bool interrupted() const { return progress.interrupted(); }

  Error run(int fd) {
    this->fd = fd;
    out.setFd(fd);
    // The preamble's block, filled in last.
    static const char block[artifact::kAlignment] = {};
    if (Error e = out.write(block, sizeof(block)))
      return e;
    for (WeightOp weight : module.getOps<WeightOp>())
      if (Error e = writeWeight(weight))
        return e;
    if (Error e = writeTokenizer())
      return e;
    if (Error e = writeCode())
      return e;
    return writeHeader();
  }

private:
  Expected<int> input(StringRef file) {
    auto found = inputs.find(file);
    if (found != inputs.end())
      return found->getValue();
    llvm::SmallString<256> path(checkpointDir);
    llvm::sys::path::append(path, file);
    int opened = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (opened < 0)
      return fileError(path, llvm::Twine("cannot open: ") + std::strerror(errno));
    inputs[file] = opened;
    return opened;
  }

  /// Copies `size` bytes at `offset` of checkpoint `file` into the output, in bounded chunks.
  Error copy(StringRef file, uint64_t offset, uint64_t size, XXH3_state_t *hash) {
    Expected<int> source = input(file);
    if (!source)
      return source.takeError();
    while (size > 0) {
      size_t chunk = static_cast<size_t>(std::min<uint64_t>(size, buffer.size()));
      ssize_t got = ::pread(*source, buffer.data(), chunk, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0) {
        llvm::SmallString<256> path(checkpointDir);
        llvm::sys::path::append(path, file);
        return fileError(path, got == 0 ? llvm::Twine("shorter than its header says (changed "
                                                      "since import?)")
                                        : llvm::Twine("read failed: ") + std::strerror(errno));
      }
      XXH3_64bits_update(hash, buffer.data(), static_cast<size_t>(got));
      if (Error e = out.write(buffer.data(), static_cast<size_t>(got)))
        return e;
      offset += static_cast<uint64_t>(got);
      size -= static_cast<uint64_t>(got);
    }
    return Error::success();
  }

  /// One section from byte ranges of checkpoint files; returns its index.
  Expected<uint32_t> section(StringRef name,
                             ArrayRef<std::tuple<StringRef, uint64_t, uint64_t>> ranges) {
    if (Error e = out.padToAlignment())
      return std::move(e);
    uint64_t begin = out.position();
    XXH3_state_t *hash = XXH3_createState();
    XXH3_64bits_reset(hash);
    for (auto [file, offset, size] : ranges)
      if (Error e = copy(file, offset, size, hash)) {
        XXH3_freeState(hash);
        return std::move(e);
      }
    uint64_t digest = XXH3_64bits_digest(hash);
    XXH3_freeState(hash);
    sections.push_back(artifact::CreateSection(builder, /*rank=*/0, builder.CreateString("raw"),
                                               builder.CreateString(name.str()), /*file=*/0,
                                               begin, out.position() - begin, digest));
    if (Error e = testKillPoint())
      return std::move(e);
    return static_cast<uint32_t>(sections.size() - 1);
  }

  /// One section from bytes in memory (generated code, compiler-computed tables).
  Expected<uint32_t> section(StringRef name, StringRef layout, StringRef bytes) {
    if (Error e = out.padToAlignment())
      return std::move(e);
    uint64_t begin = out.position();
    if (Error e = out.write(bytes.data(), bytes.size()))
      return std::move(e);
    sections.push_back(artifact::CreateSection(builder, /*rank=*/0, builder.CreateString(layout.str()),
                                               builder.CreateString(name.str()), /*file=*/0, begin,
                                               bytes.size(), XXH3_64bits(bytes.data(), bytes.size())));
    if (Error e = testKillPoint())
      return std::move(e);
    return static_cast<uint32_t>(sections.size() - 1);
  }

  /// Between sections: the interrupt flag, and the test hooks (ArtifactWriter.h):
  /// KILN_TEST_KILL_AFTER_SECTIONS=N makes the compile SIGKILL itself after N sections, so a
  /// test can show that a killed compile leaves nothing behind; ..._INTERRUPT_... raises
  /// SIGINT (through the caller's handler) and ..._PAUSE_... waits for a signal there.
  Error testKillPoint() {
    static const long long kill = testHook("KILN_TEST_KILL_AFTER_SECTIONS");
    static const long long interrupt = testHook("KILN_TEST_INTERRUPT_AFTER_SECTIONS");
    static const long long pause = testHook("KILN_TEST_PAUSE_AFTER_SECTIONS");
    const auto done = static_cast<long long>(sections.size());
    if (kill >= 0 && done >= kill)
      std::raise(SIGKILL);
    if (interrupt >= 0 && done == interrupt)
      std::raise(SIGINT);
    if (pause >= 0 && done == pause) {
      if (const char *marker = std::getenv("KILN_TEST_PAUSE_MARKER"))
        ::close(::open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      for (int i = 0; i < 6000 && !progress.interrupted(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (progress.interrupted())
      return fileError(outputPath, "interrupted");
    return Error::success();
  }

  /// RoPE tables, the code of each target and its plans.
  Error writeCode() {
    if (targets.empty())
      return Error::success();
    llvm::StringMap<uint32_t> constants;
    size_t tableIndex = 0;
    for (auto table : module.getOps<plan::RopeTableOp>()) {
      // Computed by plannedBytes(), in the same order.
      const std::vector<float> &values = ropeTables[tableIndex++];
      Expected<uint32_t> index =
          section(table.getSymName(), "f32",
                  StringRef(reinterpret_cast<const char *>(values.data()), values.size() * 4));
      if (!index)
        return index.takeError();
      constants[table.getSymName()] = *index;
    }
    auto refOf = [&](plan::BufferRefAttr r) -> Expected<flatbuffers::Offset<artifact::BufferRef>> {
      uint32_t index = static_cast<uint32_t>(r.getIndex());
      if (r.getKind() == plan::BufferKind::weight) {
        auto found = weightIndex.find(r.getName());
        if (found == weightIndex.end())
          return fileError(outputPath, "plan names an unknown weight " + r.getName());
        index = found->getValue();
      } else if (r.getKind() == plan::BufferKind::constant) {
        auto found = constants.find(r.getName());
        if (found == constants.end())
          return fileError(outputPath, "plan names an unknown constant " + r.getName());
        index = found->getValue();
      }
      return artifact::CreateBufferRef(builder, static_cast<artifact::BufferKind>(r.getKind()), index,
                                       static_cast<uint64_t>(r.getOffset()),
                                       static_cast<uint64_t>(r.getSize()));
    };
    for (const TargetCode &target : targets) {
      Expected<uint32_t> code = section("code." + target.name, "elf-shared-object", target.code);
      if (!code)
        return code.takeError();
      llvm::StringMap<uint32_t> kernelIndex;
      std::vector<flatbuffers::Offset<artifact::Kernel>> kernels;
      for (auto &[symbol, numArgs] : target.kernels) {
        kernelIndex[symbol] = kernels.size();
        kernels.push_back(artifact::CreateKernel(builder, builder.CreateString(symbol), numArgs));
      }
      std::vector<flatbuffers::Offset<artifact::Plan>> plans;
      for (auto entry : module.getOps<plan::EntryOp>()) {
        std::vector<flatbuffers::Offset<artifact::Launch>> launches;
        for (auto launch : entry.getBody().getOps<plan::LaunchOp>()) {
          std::vector<flatbuffers::Offset<artifact::BufferRef>> args;
          for (Attribute a : launch.getArgs()) {
            auto ref = refOf(cast<plan::BufferRefAttr>(a));
            if (!ref)
              return ref.takeError();
            args.push_back(*ref);
          }
          auto kernel = kernelIndex.find(launch.getKernel());
          if (kernel == kernelIndex.end())
            return fileError(outputPath, "plan launches an unknown kernel " + launch.getKernel());
          launches.push_back(artifact::CreateLaunch(builder, kernel->getValue(),
                                                    static_cast<uint32_t>(launch.getGrid()),
                                                    builder.CreateVector(args)));
        }
        auto logits = refOf(entry.getLogits());
        if (!logits)
          return logits.takeError();
        plans.push_back(artifact::CreatePlan(
            builder, builder.CreateString(entry.getSymName().str()),
            static_cast<uint32_t>(entry.getRank()), static_cast<uint32_t>(entry.getMaxTokens()),
            static_cast<uint64_t>(entry.getArenaBytes()),
            static_cast<uint64_t>(entry.getPeakLiveBytes()), builder.CreateVector(launches),
            *logits));
      }
      codeTargets.push_back(artifact::CreateTarget(
          builder, builder.CreateString(target.name), builder.CreateString(target.arch),
          static_cast<int32_t>(*code), builder.CreateVector(kernels), builder.CreateVector(plans)));
      targetNames.push_back(builder.CreateString(target.name));
    }
    for (auto cache : module.getOps<plan::KVCacheOp>()) {
      uint64_t perToken = static_cast<uint64_t>(cache.getLatent() + cache.getRope()) * 4;
      uint64_t perSeq = static_cast<uint64_t>((cache.getMaxSeqLen() + cache.getBlock() - 1) /
                                              cache.getBlock());
      kvLayout = artifact::CreateKvLayout(
          builder, builder.CreateString("f32"), static_cast<uint32_t>(cache.getBlock()),
          static_cast<uint32_t>(cache.getLayers()), static_cast<uint32_t>(cache.getLatent()),
          static_cast<uint32_t>(cache.getRope()), /*index=*/0, perToken,
          static_cast<uint32_t>(cache.getBlocks()), static_cast<uint32_t>(cache.getMaxSeqLen()),
          static_cast<uint32_t>(cache.getMaxBatch()), static_cast<uint32_t>(perSeq));
    }
    return Error::success();
  }

  Error writeWeight(WeightOp weight) {
    std::vector<std::tuple<StringRef, uint64_t, uint64_t>> ranges;
    if (auto source = weight.getSource())
      for (auto range : source->getAsRange<SourceAttr>())
        ranges.emplace_back(range.getFile(), range.getOffset(), range.getSize());
    Expected<uint32_t> index = section(weight.getSymName(), ranges);
    if (!index)
      return index.takeError();
    RankedTensorType type = weight.getTensorType();
    std::string dtype;
    llvm::raw_string_ostream os(dtype);
    type.getElementType().print(os);
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    flatbuffers::Offset<flatbuffers::Vector<int64_t>> block;
    flatbuffers::Offset<flatbuffers::String> scale;
    if (auto quant = weight.getQuant()) {
      block = builder.CreateVector(quant->getBlock().vec());
      scale = builder.CreateString(weight.getScaleAttr().getValue().str());
    }
    weightIndex[weight.getSymName()] = weights.size();
    weights.push_back(artifact::CreateWeight(builder, builder.CreateString(weight.getSymName().str()),
                                             builder.CreateString(dtype),
                                             builder.CreateVector(shape), *index, block, scale));
    return Error::success();
  }

  Error writeTokenizer() {
    auto model = module->getAttrOfType<DictionaryAttr>(KilnDialect::getModelAttrName());
    auto file = model ? model.getAs<StringAttr>("tokenizer") : StringAttr();
    if (!file)
      return Error::success();
    llvm::SmallString<256> path(checkpointDir);
    llvm::sys::path::append(path, file.getValue());
    uint64_t size = 0;
    if (std::error_code ec = llvm::sys::fs::file_size(path, size))
      return fileError(path, "cannot read: " + ec.message());
    Expected<uint32_t> index = section(file.getValue(), {{file.getValue(), 0, size}});
    if (!index)
      return index.takeError();
    tokenizerSection = static_cast<int32_t>(*index);
    // tokenizer_config.json rides along (chat template, special tokens) for kiln-tokenize and
    // the runtime's chat rendering, which read it from the artifact.
    llvm::SmallString<256> configPath(checkpointDir);
    llvm::sys::path::append(configPath, "tokenizer_config.json");
    uint64_t configSize = 0;
    if (llvm::sys::fs::file_size(configPath, configSize))
      return Error::success();
    Expected<uint32_t> config =
        section("tokenizer_config.json", {{"tokenizer_config.json", 0, configSize}});
    return config ? Error::success() : config.takeError();
  }

  Error writeHeader() {
    std::vector<flatbuffers::Offset<artifact::ModelFact>> facts;
    if (auto model = module->getAttrOfType<DictionaryAttr>(KilnDialect::getModelAttrName()))
      for (NamedAttribute fact : model) {
        auto key = builder.CreateString(fact.getName().str());
        if (auto text = dyn_cast<StringAttr>(fact.getValue()))
          facts.push_back(artifact::CreateModelFact(builder, key,
                                                    builder.CreateString(text.getValue().str()),
                                                    0, false, artifact::FactKind::String));
        else if (auto flag = dyn_cast<BoolAttr>(fact.getValue())) // before IntegerAttr: i1
          facts.push_back(artifact::CreateModelFact(builder, key, 0, 0, flag.getValue(),
                                                    artifact::FactKind::Bool));
        else if (auto number = dyn_cast<IntegerAttr>(fact.getValue()))
          facts.push_back(artifact::CreateModelFact(builder, key, 0, number.getInt(), false,
                                                    artifact::FactKind::Int));
      }
    auto rounding = module->getAttrOfType<ScaleRoundingAttr>(
        KilnDialect::getActScaleRoundingAttrName());
    std::vector<flatbuffers::Offset<flatbuffers::String>> features = {
        builder.CreateString("weights-raw-v1")};
    if (!codeTargets.empty())
      features.push_back(builder.CreateString("cpu-plan-v1"));
    uint32_t vocab = 0;
    if (auto model = module->getAttrOfType<DictionaryAttr>(KilnDialect::getModelAttrName()))
      if (auto v = model.getAs<IntegerAttr>("vocab_size"))
        vocab = static_cast<uint32_t>(v.getInt());
    auto root = artifact::CreateArtifact(
        builder, artifact::kFormatMajor, artifact::kFormatMinor, builder.CreateVector(features),
        builder.CreateVector(facts),
        builder.CreateString(rounding ? stringifyScaleRounding(rounding.getValue()).str()
                                      : std::string("none")),
        tokenizerSection, builder.CreateVector(targetNames),
        /*ranks=*/1, builder.CreateVector(weights), builder.CreateVector(sections),
        builder.CreateVector(std::vector<flatbuffers::Offset<flatbuffers::String>>()),
        builder.CreateVector(codeTargets), kvLayout, vocab);
    artifact::FinishArtifactBuffer(builder, root);

    if (Error e = out.padToAlignment())
      return e;
    artifact::Preamble preamble = {};
    std::memcpy(preamble.magic, artifact::kMagic, sizeof(preamble.magic));
    preamble.formatMajor = artifact::kFormatMajor;
    preamble.formatMinor = artifact::kFormatMinor;
    preamble.headerOffset = out.position();
    preamble.headerSize = builder.GetSize();
    preamble.headerXxh3 = XXH3_64bits(builder.GetBufferPointer(), builder.GetSize());
    if (Error e = out.write(builder.GetBufferPointer(), builder.GetSize()))
      return e;
    const uint64_t end = out.position();
    SectionStream front(fd, outputPath); // at offset 0
    if (Error e = front.write(&preamble, sizeof(preamble)))
      return e;
    progress.total = end;
    progress.report(end);
    return Error::success();
  }

  ModuleOp module;
  StringRef checkpointDir;
  int fd = -1;
  Progress progress;
  SectionStream out;
  StringRef outputPath;
  llvm::StringMap<int> inputs;
  std::vector<char> buffer = std::vector<char>(8u << 20);
  flatbuffers::FlatBufferBuilder builder{1 << 16};
  std::vector<flatbuffers::Offset<artifact::Section>> sections;
  std::vector<flatbuffers::Offset<artifact::Weight>> weights;
  int32_t tokenizerSection = -1;
  ArrayRef<TargetCode> targets;
  llvm::StringMap<uint32_t> weightIndex;
  std::vector<flatbuffers::Offset<artifact::Target>> codeTargets;
  std::vector<flatbuffers::Offset<flatbuffers::String>> targetNames;
  flatbuffers::Offset<artifact::KvLayout> kvLayout;
  std::vector<std::vector<float>> ropeTables;
};

/// Refuses to start when the output's file system cannot hold `needed` bytes
/// (KILN_TEST_FREE_BYTES stands for its free bytes in tests).
Error checkFreeSpace(StringRef outputPath, StringRef dir, uint64_t needed) {
  uint64_t available = 0;
  if (long long forced = testHook("KILN_TEST_FREE_BYTES"); forced >= 0) {
    available = static_cast<uint64_t>(forced);
  } else {
    struct statvfs fs {};
    if (::statvfs(std::string(dir).c_str(), &fs) != 0)
      return Error::success(); // unknown: the write itself reports ENOSPC
    available = uint64_t{fs.f_bavail} * fs.f_frsize;
  }
  if (needed <= available)
    return Error::success();
  return fileError(outputPath, "not enough free space: the artifact needs " + bytesText(needed) +
                                   ", the file system has " + bytesText(available) + " free");
}

} // namespace

Error writeArtifact(ModuleOp module, StringRef checkpointDir, StringRef outputPath,
                    ArrayRef<TargetCode> targets, const WriteOptions &options) {
  llvm::SmallString<256> dir(outputPath);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  Writer writer(module, checkpointDir, outputPath, targets, options);
  Expected<uint64_t> planned = writer.plannedBytes();
  if (!planned)
    return planned.takeError();
  if (Error e = checkFreeSpace(outputPath, dir, *planned))
    return e;
  // An unnamed file (O_TMPFILE) in the output's directory gets a name only once complete, so a
  // failed compile, and even a killed one, leaves nothing behind.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
  if (fd >= 0) {
    Error result = writer.run(fd);
    if (!result && writer.interrupted())
      result = fileError(outputPath, "interrupted");
    if (result) {
      ::close(fd);
      return result;
    }
    llvm::SmallString<256> named;
    llvm::sys::fs::createUniquePath(outputPath + ".tmp-%%%%%%", named, /*MakeAbsolute=*/false);
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    int linked = ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, named.c_str(), AT_SYMLINK_FOLLOW);
    int linkErrno = errno;
    ::close(fd);
    if (linked != 0)
      return fileError(outputPath, llvm::Twine("cannot name the written file: ") +
                                       std::strerror(linkErrno));
    if (::rename(named.c_str(), std::string(outputPath).c_str()) != 0) {
      int renameErrno = errno;
      ::unlink(named.c_str());
      return fileError(outputPath, llvm::Twine("cannot rename the temporary file into place: ") +
                                       std::strerror(renameErrno));
    }
    return Error::success();
  }
  // File systems without O_TMPFILE: a named temporary file, removed on failure.
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(outputPath + ".tmp-%%%%%%");
  if (!temp)
    return fileError(outputPath, "cannot create a temporary file: " +
                                     llvm::toString(temp.takeError()));
  Error result = writer.run(temp->FD);
  if (!result && writer.interrupted())
    result = fileError(outputPath, "interrupted");
  if (result) {
    llvm::consumeError(temp->discard());
    return result;
  }
  if (Error e = temp->keep(outputPath))
    return fileError(outputPath, "cannot rename the temporary file into place: " +
                                     llvm::toString(std::move(e)));
  return Error::success();
}

} // namespace kiln
