// NpyWriter.cpp - a float32 .npy file (format 1.0), written to a temporary name and renamed.
#include "NpyWriter.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::run {

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy data is written as '<f4'");

bool writeAll(int fd, const void *data, size_t size) {
  const char *bytes = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t done = ::write(fd, bytes, size);
    if (done < 0 && errno == EINTR)
      continue;
    if (done <= 0)
      return false;
    bytes += done;
    size -= static_cast<size_t>(done);
  }
  return true;
}

/// The magic, version 1.0, header length and the header dict, padded with spaces and a newline
/// to a multiple of 64 bytes, as numpy.lib.format writes it.
std::string npyHeader(uint64_t rows, uint64_t columns) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(columns) + "), }";
  const size_t prefix = 10; // magic (6) + version (2) + header length (2)
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xFF);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

} // namespace

bool writeNpyAtomically(const std::string &path, const std::vector<std::vector<float>> &blocks,
                        uint64_t columns, std::string *problem) {
  uint64_t values = 0;
  for (const std::vector<float> &block : blocks)
    values += block.size();
  const uint64_t rows = columns ? values / columns : 0;

  std::string temporary = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    *problem = path + ": cannot create: " + std::strerror(errno);
    return false;
  }
  // mkstemp creates the file 0600; give it the permissions a plain create would.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);

  const std::string header = npyHeader(rows, columns);
  bool ok = writeAll(fd, header.data(), header.size());
  for (size_t i = 0; ok && i < blocks.size(); ++i)
    ok = writeAll(fd, blocks[i].data(), blocks[i].size() * sizeof(float));
  int error = ok ? 0 : errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    ::unlink(temporary.c_str());
    *problem = path + ": cannot write: " + std::strerror(error ? error : EIO);
  }
  return ok;
}

} // namespace kiln::run
