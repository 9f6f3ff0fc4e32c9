// ReadFile.cpp - see ReadFile.h.
#include "ReadFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace kiln::tokenizer {

kiln_status_t readFile(const std::string &path, std::string *contents) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    int error = errno;
    std::string message = path + ": " + std::strerror(error);
    return kiln_status_make(error == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_INVALID_ARGUMENT,
                            message.c_str());
  }
  if (S_ISDIR(info.st_mode))
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (path + ": is a directory").c_str());
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    std::string message = path + ": " + std::strerror(errno);
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  }
  contents->clear();
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) contents->append(buffer, n);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed)
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (path + ": read error").c_str());
  return nullptr;
}

} // namespace kiln::tokenizer
