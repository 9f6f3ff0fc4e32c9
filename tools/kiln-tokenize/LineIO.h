// LineIO.h - stdin line by line and a buffered stdout that is flushed whenever reading would
// block, so the tool answers each line at once in a pipe or a terminal yet writes in large
// blocks when fed a file.
#ifndef KILN_TOOLS_KILN_TOKENIZE_LINEIO_H
#define KILN_TOOLS_KILN_TOKENIZE_LINEIO_H

#include <string>

namespace kiln::tokenize {

class Output {
public:
  ~Output() { flush(); }
  void write(const std::string &text) {
    buffer_ += text;
    if (buffer_.size() >= (1 << 16)) flush();
  }
  // False when stdout is gone (a closed pipe).
  bool flush();

private:
  std::string buffer_;
};

class LineReader {
public:
  LineReader(int fd, Output &output) : fd_(fd), output_(output) {}
  // The next line without its "\n" (a final line without one counts). False at the end.
  bool next(std::string *line);
  // The number of the line last returned, from 1.
  size_t lineNumber() const { return lineNumber_; }
  // True when reading failed (not at the end).
  bool failed() const { return failed_; }

private:
  bool fill();
  int fd_;
  Output &output_;
  std::string buffer_;
  size_t start_ = 0;
  size_t lineNumber_ = 0;
  bool eof_ = false, failed_ = false;
};

} // namespace kiln::tokenize

#endif // KILN_TOOLS_KILN_TOKENIZE_LINEIO_H
