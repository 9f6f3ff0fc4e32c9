// StopCondition.h - when generation ends: an end-of-sequence id, or a stop string in the text.
//
// Text arrives in pieces (a StreamDecoder's output). Whatever could be the start of a stop
// string is held back until it is known not to be one, so streamed text never contains (part
// of) a stop string, and a stop string split across tokens is still found.
#ifndef KILN_RUNTIME_SAMPLING_STOPCONDITION_H
#define KILN_RUNTIME_SAMPLING_STOPCONDITION_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::sampling {

class StopCondition {
public:
  StopCondition(std::vector<int32_t> eosIds, std::vector<std::string> stopStrings);

  bool isEos(int32_t id) const;
  // Adds decoded text; returns what may be shown now. Once a stop string is seen, stopped()
  // is true and the text before it is the last returned.
  std::string push(const std::string &text);
  bool stopped() const { return stopped_; }
  // The text held back at the end of generation (none after a stop).
  std::string finish();

private:
  std::vector<int32_t> eos_;
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

} // namespace kiln::sampling

#endif // KILN_RUNTIME_SAMPLING_STOPCONDITION_H
