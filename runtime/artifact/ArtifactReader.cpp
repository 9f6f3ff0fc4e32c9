// ArtifactReader.cpp - open a .kiln artifact: mmap, verify, look up sections.
#include "ArtifactReader.h"

#include "ArtifactFormat.h"
#include "artifact_generated.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::runtime {

namespace {

kiln_status_t fail(kiln_status_code_t code, const std::string &path, const std::string &problem) {
  return kiln_status_make(code, (path + ": " + problem).c_str());
}

std::string sectionLabel(const kiln::artifact::Section &section) {
  return "section '" + section.name()->str() + "' (rank " + std::to_string(section.rank()) +
         ", layout " + section.layout()->str() + ")";
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
