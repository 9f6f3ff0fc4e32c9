// ArtifactReader.cpp - open a .kiln artifact: mmap, verify, look up sections.
#include "ArtifactReader.h"

#include "ArtifactFormat.h"
#include "artifact_generated.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace kiln::runtime {

namespace {

kiln_status_t fail(kiln_status_code_t code, const std::string &path, const std::string &problem) {
  return kiln_status_make(code, (path + ": " + problem).c_str());
}

std::string sectionLabel(const kiln::artifact::Section &section) {
  return "section '" + section.name()->str() + "' (rank " + std::to_string(section.rank()) +
         ", layout " + section.layout()->str() + ")";
}

/// Input arrays a plan may name (artifact.fbs, BufferKind::Input): 0 token ids, 1 positions,
/// 2 the sequence slot of each token.
constexpr uint32_t kPlanInputs = 3;
/// Arena offsets are multiples of this (artifact.fbs, BufferRef.offset).
constexpr uint64_t kArenaAlignment = 64;

bool fits(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

/// Bytes per element of the KV cache dtypes whose size the reader knows; 0 for others.
uint64_t kvElementBytes(std::string_view dtype) {
  if (dtype == "f32")
    return 4;
  if (dtype == "bf16" || dtype == "f16")
    return 2;
  if (dtype == "f8E4M3FN" || dtype == "f8E5M2")
    return 1;
  return 0;
}

/// Bytes of one layer's KV pool; false on overflow.
bool kvPoolBytes(const artifact::KvLayout &kv, uint64_t *bytes) {
  uint64_t tokens = 0;
  return !__builtin_mul_overflow(uint64_t{kv.num_blocks()}, uint64_t{kv.block_size()}, &tokens) &&
         !__builtin_mul_overflow(tokens, kv.bytes_per_token(), bytes);
}

std::string checkKvLayout(const artifact::KvLayout &kv) {
  const std::pair<const char *, uint64_t> positive[] = {
      {"block_size", kv.block_size()}, {"num_blocks", kv.num_blocks()},
      {"max_seq_len", kv.max_seq_len()}, {"max_batch", kv.max_batch()},
      {"blocks_per_seq", kv.blocks_per_seq()}};
  for (auto [name, value] : positive)
    if (value == 0)
      return std::string("KV layout: ") + name + " is 0";
  if (uint64_t{kv.blocks_per_seq()} * kv.block_size() < kv.max_seq_len())
    return "KV layout: blocks_per_seq (" + std::to_string(kv.blocks_per_seq()) +
           ") x block_size (" + std::to_string(kv.block_size()) +
           ") cannot hold max_seq_len " + std::to_string(kv.max_seq_len());
  const uint64_t elements = uint64_t{kv.latent()} + kv.rope() + kv.index();
  if (uint64_t bytes = kvElementBytes(kv.dtype()->string_view());
      bytes && kv.bytes_per_token() < elements * bytes)
    return "KV layout: bytes_per_token " + std::to_string(kv.bytes_per_token()) +
           " cannot hold latent + rope + index = " + std::to_string(elements) + " " +
           kv.dtype()->str() + " elements";
  if (kv.layers() > 0 && kv.bytes_per_token() == 0)
    return "KV layout: bytes_per_token is 0";
  uint64_t poolBytes = 0;
  if (!kvPoolBytes(kv, &poolBytes) || poolBytes > uint64_t{SIZE_MAX})
    return "KV layout: a layer's pool (num_blocks x block_size x bytes_per_token) overflows";
  return "";
}

/// What is wrong with a launch or logits argument of `plan`, or "".
std::string checkBufferRef(const artifact::BufferRef &ref, const artifact::Plan &plan,
                           const artifact::Artifact &header) {
  const auto *sections = header.sections();
  const auto *weights = header.weights();
  const artifact::KvLayout *kv = header.kv_layout();
  const uint32_t sectionCount = sections ? sections->size() : 0;
  if (ref.kind() != artifact::BufferKind::Arena && ref.offset() != 0)
    return "offset " + std::to_string(ref.offset()) +
           " on a non-arena argument (offsets are arena offsets)";
  uint64_t limit = 0;
  std::string what;
  switch (ref.kind()) {
  case artifact::BufferKind::Arena:
    if (ref.offset() % kArenaAlignment != 0)
      return "arena offset " + std::to_string(ref.offset()) + " is not 64-byte aligned";
    if (!fits(ref.offset(), ref.size(), plan.arena_bytes()))
      return "arena bytes [" + std::to_string(ref.offset()) + ", +" +
             std::to_string(ref.size()) + ") pass the end of the plan's " +
             std::to_string(plan.arena_bytes()) + "-byte arena";
    return "";
  case artifact::BufferKind::Weight:
    if (!weights || ref.index() >= weights->size())
      return "weight index " + std::to_string(ref.index()) + " is out of range (" +
             std::to_string(weights ? weights->size() : 0) + " weights)";
    limit = sections->Get(weights->Get(ref.index())->section())->size();
    what = "weight '" + weights->Get(ref.index())->name()->str() + "'";
    break;
  case artifact::BufferKind::Input:
    if (ref.index() >= kPlanInputs)
      return "input index " + std::to_string(ref.index()) +
             " is out of range (0 token ids, 1 positions, 2 sequence slots)";
    limit = uint64_t{plan.max_tokens()} * 4;
    what = "input " + std::to_string(ref.index()) + " (max_tokens int32)";
    break;
  case artifact::BufferKind::KvPool:
    if (!kv)
      return "a KV pool argument, but the artifact has no KV layout";
    if (ref.index() >= kv->layers())
      return "KV pool of layer " + std::to_string(ref.index()) + ", but the KV layout has " +
             std::to_string(kv->layers()) + " layers";
    kvPoolBytes(*kv, &limit);
    what = "the KV pool of layer " + std::to_string(ref.index());
    break;
  case artifact::BufferKind::BlockTable:
    if (!kv)
      return "a block table argument, but the artifact has no KV layout";
    limit = uint64_t{kv->max_batch()} * kv->blocks_per_seq() * 4;
    what = "the block table";
    break;
  case artifact::BufferKind::Constant:
    if (ref.index() >= sectionCount)
      return "constant section " + std::to_string(ref.index()) + " is out of range (" +
             std::to_string(sectionCount) + " sections)";
    limit = sections->Get(ref.index())->size();
    what = sectionLabel(*sections->Get(ref.index()));
    break;
  default:
    return "unknown buffer kind " + std::to_string(static_cast<unsigned>(ref.kind())) +
           " (written by a newer compiler?)";
  }
  if (ref.size() > limit)
    return "size " + std::to_string(ref.size()) + " is more than the " + std::to_string(limit) +
           " bytes of " + what;
  return "";
}

std::string checkPlan(const artifact::Plan &plan, const artifact::Target &target,
                      const artifact::Artifact &header) {
  const auto *kernels = target.kernels();
  const uint32_t kernelCount = kernels ? kernels->size() : 0;
  if (plan.rank() >= header.ranks())
    return "is for rank " + std::to_string(plan.rank()) + ", but the artifact has " +
           std::to_string(header.ranks()) + " ranks";
  if (plan.max_tokens() == 0)
    return "has max_tokens 0";
  if (const auto *launches = plan.launches())
    for (uint32_t i = 0; i < launches->size(); ++i) {
      const artifact::Launch &launch = *launches->Get(i);
      std::string label = "launch " + std::to_string(i);
      if (launch.kernel() >= kernelCount)
        return label + ": kernel index " + std::to_string(launch.kernel()) +
               " is out of range (" + std::to_string(kernelCount) + " kernels)";
      const artifact::Kernel &kernel = *kernels->Get(launch.kernel());
      label += " (kernel '" + kernel.symbol()->str() + "')";
      if (launch.grid() == 0)
        return label + ": grid is 0";
      const uint32_t argCount = launch.args() ? launch.args()->size() : 0;
      if (argCount != kernel.num_args())
        return label + ": " + std::to_string(argCount) + " arguments, but the kernel takes " +
               std::to_string(kernel.num_args());
      for (uint32_t j = 0; j < argCount; ++j)
        if (std::string problem = checkBufferRef(*launch.args()->Get(j), plan, header);
            !problem.empty())
          return label + " argument " + std::to_string(j) + ": " + problem;
    }
  const artifact::BufferRef *logits = plan.logits();
  if (!logits)
    return "has no logits buffer";
  if (logits->kind() != artifact::BufferKind::Arena)
    return "logits: not in the arena";
  if (std::string problem = checkBufferRef(*logits, plan, header); !problem.empty())
    return "logits: " + problem;
  if (header.vocab_size() == 0)
    return "logits: the artifact's vocab_size is 0";
  const uint64_t logitsBytes = uint64_t{plan.max_tokens()} * header.vocab_size() * 4;
  if (logits->size() < logitsBytes)
    return "logits: " + std::to_string(logits->size()) +
           " bytes cannot hold max_tokens x vocab_size float32 (" +
           std::to_string(logitsBytes) + " bytes)";
  return "";
}

/// The indices and sizes of the header's weights, KV layout and code targets: after open()
/// succeeds, a device may use every index without checking it again.
std::string checkCode(const artifact::Artifact &header) {
  const uint32_t sectionCount = header.sections() ? header.sections()->size() : 0;
  if (const auto *weights = header.weights())
    for (const artifact::Weight *weight : *weights)
      if (weight->section() >= sectionCount)
        return "weight '" + weight->name()->str() + "' names section " +
               std::to_string(weight->section()) + ", but there are " +
               std::to_string(sectionCount) + " sections";
  if (header.tokenizer_section() < -1 || header.tokenizer_section() >= int64_t{sectionCount})
    return "tokenizer section " + std::to_string(header.tokenizer_section()) +
           " is out of range (" + std::to_string(sectionCount) + " sections)";
  if (header.ranks() == 0)
    return "ranks is 0";
  if (const artifact::KvLayout *kv = header.kv_layout())
    if (std::string problem = checkKvLayout(*kv); !problem.empty())
      return problem;
  const auto *targets = header.code_targets();
  for (uint32_t t = 0; targets && t < targets->size(); ++t) {
    const artifact::Target &target = *targets->Get(t);
    const std::string label = "target '" + target.name()->str() + "'";
    for (uint32_t u = 0; u < t; ++u)
      if (targets->Get(u)->name()->string_view() == target.name()->string_view())
        return label + " appears twice";
    if (target.code_section() < -1 || target.code_section() >= int64_t{sectionCount})
      return label + ": code section " + std::to_string(target.code_section()) +
             " is out of range (" + std::to_string(sectionCount) + " sections)";
    if (const auto *kernels = target.kernels())
      for (uint32_t k = 0; k < kernels->size(); ++k)
        if (kernels->Get(k)->symbol()->size() == 0)
          return label + ": kernel " + std::to_string(k) + " has an empty symbol";
    const auto *plans = target.plans();
    for (uint32_t p = 0; plans && p < plans->size(); ++p) {
      const artifact::Plan &plan = *plans->Get(p);
      const std::string planLabel = label + " plan '" + plan.name()->str() + "' (rank " +
                                    std::to_string(plan.rank()) + ")";
      for (uint32_t q = 0; q < p; ++q)
        if (plans->Get(q)->rank() == plan.rank() &&
            plans->Get(q)->name()->string_view() == plan.name()->string_view())
          return planLabel + " appears twice";
      if (std::string problem = checkPlan(plan, target, header); !problem.empty())
        return planLabel + " " + problem;
    }
  }
  return "";
}

} // namespace

ArtifactReader::~ArtifactReader() {
  if (data_)
    ::munmap(const_cast<unsigned char *>(data_), size_);
}

kiln_status_t ArtifactReader::open(const std::string &path,
                                   std::unique_ptr<ArtifactReader> *out) {
  std::unique_ptr<ArtifactReader> reader(new ArtifactReader());
  reader->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(KILN_STATUS_NOT_FOUND, path, std::string("cannot open: ") + std::strerror(errno));
  struct stat status;
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    return fail(KILN_STATUS_INVALID_ARGUMENT, path, "not a regular file");
  }
  reader->size_ = static_cast<uint64_t>(status.st_size);
  if (reader->size_ < artifact::kAlignment) {
    ::close(fd);
    return fail(KILN_STATUS_DATA_LOSS, path,
                "not a Kiln artifact: " + std::to_string(reader->size_) +
                    " bytes, shorter than the 4096-byte preamble");
  }
  void *mapped = ::mmap(nullptr, reader->size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED)
    return fail(KILN_STATUS_RESOURCE_EXHAUSTED, path,
                std::string("cannot map: ") + std::strerror(errno));
  reader->data_ = static_cast<const unsigned char *>(mapped);

  artifact::Preamble preamble;
  std::memcpy(&preamble, reader->data_, sizeof(preamble));
  if (std::memcmp(preamble.magic, artifact::kMagic, sizeof(artifact::kMagic)) != 0)
    return fail(KILN_STATUS_INVALID_ARGUMENT, path, "not a Kiln artifact (bad magic)");
  reader->major_ = preamble.formatMajor;
  reader->minor_ = preamble.formatMinor;
  if (preamble.formatMajor != artifact::kFormatMajor)
    return fail(KILN_STATUS_UNIMPLEMENTED, path,
                "artifact format " + std::to_string(preamble.formatMajor) + "." +
                    std::to_string(preamble.formatMinor) + " is not readable by this runtime (" +
                    std::to_string(artifact::kFormatMajor) + "." +
                    std::to_string(artifact::kFormatMinor) +
                    "); compile the model with a matching Kiln");
  if (preamble.headerOffset < artifact::kAlignment || preamble.headerSize == 0 ||
      preamble.headerOffset > reader->size_ ||
      preamble.headerSize > reader->size_ - preamble.headerOffset)
    return fail(KILN_STATUS_DATA_LOSS, path,
                "truncated or corrupt: header at [" + std::to_string(preamble.headerOffset) +
                    ", +" + std::to_string(preamble.headerSize) + ") does not fit the file's " +
                    std::to_string(reader->size_) + " bytes");
  const unsigned char *headerBytes = reader->data_ + preamble.headerOffset;
  if (XXH3_64bits(headerBytes, preamble.headerSize) != preamble.headerXxh3)
    return fail(KILN_STATUS_DATA_LOSS, path, "header is corrupt (hash mismatch)");
  flatbuffers::Verifier verifier(headerBytes, preamble.headerSize);
  if (!artifact::VerifyArtifactBuffer(verifier))
    return fail(KILN_STATUS_DATA_LOSS, path, "header fails flatbuffers verification");
  reader->header_ = artifact::GetArtifact(headerBytes);

  if (const auto *features = reader->header_->required_features())
    for (const flatbuffers::String *feature : *features) {
      bool known = false;
      for (const char *k : artifact::kKnownFeatures)
        known = known || feature->str() == k;
      if (!known)
        return fail(KILN_STATUS_UNIMPLEMENTED, path,
                    "requires feature '" + feature->str() +
                        "', which this runtime does not know; update the runtime");
    }
  if (const auto *sections = reader->header_->sections())
    for (const artifact::Section *section : *sections) {
      if (section->file() != 0)
        return fail(KILN_STATUS_UNIMPLEMENTED, path,
                    sectionLabel(*section) + " is in another file; multi-file artifacts are "
                                             "not supported yet");
      if (section->offset() % artifact::kAlignment != 0)
        return fail(KILN_STATUS_DATA_LOSS, path,
                    sectionLabel(*section) + " is not 4 KiB aligned");
      if (section->offset() > reader->size_ ||
          section->size() > reader->size_ - section->offset())
        return fail(KILN_STATUS_DATA_LOSS, path,
                    sectionLabel(*section) + " lies outside the file (truncated?)");
    }
  if (std::string problem = checkCode(*reader->header_); !problem.empty())
    return fail(KILN_STATUS_INVALID_ARGUMENT, path, "malformed header: " + problem);
  *out = std::move(reader);
  return nullptr;
}

std::string_view ArtifactReader::sectionBytes(uint32_t index) const {
  const artifact::Section *section = header_->sections()->Get(index);
  return {reinterpret_cast<const char *>(data_ + section->offset()),
          static_cast<size_t>(section->size())};
}

kiln_status_t ArtifactReader::verifySection(uint32_t index) const {
  const auto *sections = header_->sections();
  if (!sections || index >= sections->size())
    return fail(KILN_STATUS_NOT_FOUND, path_, "no section " + std::to_string(index));
  std::string_view bytes = sectionBytes(index);
  if (XXH3_64bits(bytes.data(), bytes.size()) != sections->Get(index)->xxh3())
    return fail(KILN_STATUS_DATA_LOSS, path_,
                sectionLabel(*sections->Get(index)) + " is corrupt (hash mismatch)");
  return nullptr;
}

int64_t ArtifactReader::findSection(std::string_view name) const {
  const auto *sections = header_->sections();
  for (uint32_t i = 0; sections && i < sections->size(); ++i)
    if (sections->Get(i)->rank() == 0 && sections->Get(i)->name()->string_view() == name)
      return i;
  return -1;
}

} // namespace kiln::runtime
