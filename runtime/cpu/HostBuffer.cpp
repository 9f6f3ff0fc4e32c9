// HostBuffer.cpp - zeroed, page-aligned host memory.
#include "HostBuffer.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <utility>

namespace kiln::cpu {

kiln_status_t HostBuffer::allocate(uint64_t bytes, const std::string &label, HostBuffer *out) {
  *out = HostBuffer();
  if (bytes == 0)
    return nullptr;
  if (bytes > SIZE_MAX)
    return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED,
                            (label + ": " + std::to_string(bytes) +
                             " bytes do not fit the address space")
                                .c_str());
  void *mapped = ::mmap(nullptr, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED)
    return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED,
                            (label + ": cannot allocate " + std::to_string(bytes) +
                             " bytes: " + std::strerror(errno))
                                .c_str());
  out->data_ = static_cast<unsigned char *>(mapped);
  out->size_ = bytes;
  return nullptr;
}

HostBuffer::~HostBuffer() {
  if (data_)
    ::munmap(data_, static_cast<size_t>(size_));
}

HostBuffer::HostBuffer(HostBuffer &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

HostBuffer &HostBuffer::operator=(HostBuffer &&other) noexcept {
  if (this != &other) {
    if (data_)
      ::munmap(data_, static_cast<size_t>(size_));
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

} // namespace kiln::cpu
