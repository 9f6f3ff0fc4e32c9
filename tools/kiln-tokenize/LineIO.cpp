// LineIO.cpp - see LineIO.h.
#include "LineIO.h"

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace kiln::tokenize {

bool Output::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(1, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { buffer_.clear(); return false; }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  return true;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Answer what was asked so far before waiting for more input.
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, 0) == 0) output_.flush();
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failed_ = true;
    if (n <= 0) { eof_ = true; return false; }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

bool LineReader::next(std::string *line) {
  size_t searchFrom = start_;
  for (;;) {
    size_t newline = buffer_.find('\n', searchFrom);
    if (newline != std::string::npos) {
      line->assign(buffer_, start_, newline - start_);
      start_ = newline + 1;
      ++lineNumber_;
      return true;
    }
    size_t scanned = buffer_.size() - start_;
    if (!fill()) {
      if (start_ >= buffer_.size()) return false;
      line->assign(buffer_, start_, std::string::npos);
      start_ = buffer_.size();
      ++lineNumber_;
      return true;
    }
    searchFrom = start_ + scanned;
  }
}

} // namespace kiln::tokenize
