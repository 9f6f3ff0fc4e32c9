// StopCondition.cpp - EOS ids and stop strings (see StopCondition.h).
#include "StopCondition.h"

#include <algorithm>

namespace kiln::sampling {

StopCondition::StopCondition(std::vector<int32_t> eosIds, std::vector<std::string> stopStrings)
    : eos_(std::move(eosIds)), stops_(std::move(stopStrings)) {
  stops_.erase(std::remove(stops_.begin(), stops_.end(), std::string()), stops_.end());
}

bool StopCondition::isEos(int32_t id) const {
  return std::find(eos_.begin(), eos_.end(), id) != eos_.end();
}

std::string StopCondition::push(const std::string &text) {
  if (stopped_) return {};
  pending_ += text;
  // The earliest stop string wins.
  size_t first = std::string::npos;
  for (const std::string &stop : stops_) first = std::min(first, pending_.find(stop));
  if (first != std::string::npos) {
    stopped_ = true;
    std::string out = pending_.substr(0, first);
    pending_.clear();
    return out;
  }
  // Hold the longest tail that is a proper prefix of some stop string.
  size_t hold = 0;
  for (const std::string &stop : stops_)
    for (size_t n = std::min(stop.size() - 1, pending_.size()); n > hold; --n)
      if (pending_.compare(pending_.size() - n, n, stop, 0, n) == 0) { hold = n; break; }
  std::string out = pending_.substr(0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string StopCondition::finish() {
  std::string out = stopped_ ? std::string() : pending_;
  pending_.clear();
  return out;
}

} // namespace kiln::sampling
