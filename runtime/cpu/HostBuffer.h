// HostBuffer.h - zeroed, page-aligned host memory for arenas, inputs and KV pools.
//
// Anonymous mmap rather than malloc: the kernel hands out zero pages lazily, so a KV pool sized
// for max_seq_len x max_batch costs memory only where sequences have written, and every buffer
// starts at a page boundary (more than the 64-byte alignment the plans' offsets assume).
#ifndef KILN_RUNTIME_CPU_HOSTBUFFER_H
#define KILN_RUNTIME_CPU_HOSTBUFFER_H

#include "kiln_runtime.h"

#include <cstdint>
#include <string>

namespace kiln::cpu {

class HostBuffer {
public:
  HostBuffer() = default;
  /// `label` names the buffer in the error ("model.kiln: KV pool of layer 3").
  static kiln_status_t allocate(uint64_t bytes, const std::string &label, HostBuffer *out);
  ~HostBuffer();
  HostBuffer(HostBuffer &&other) noexcept;
  HostBuffer &operator=(HostBuffer &&other) noexcept;
  HostBuffer(const HostBuffer &) = delete;
  HostBuffer &operator=(const HostBuffer &) = delete;

  /// nullptr for an empty buffer.
  unsigned char *data() const { return data_; }
  uint64_t size() const { return size_; }

private:
  unsigned char *data_ = nullptr;
  uint64_t size_ = 0;
};

} // namespace kiln::cpu

#endif // KILN_RUNTIME_CPU_HOSTBUFFER_H
