#include <algorithm>
#include <memory>
#include <vector>

namespace kiln::demo {

template <typename T>
class RingBuffer {
public:
  explicit RingBuffer(std::size_t capacity) : data_(capacity) {}
  void push(T value) { data_[head_++ % data_.size()] = std::move(value); }
  [[nodiscard]] const T &operator[](std::size_t i) const { return data_.at(i); }

private:
  std::vector<T> data_;
  std::size_t head_ = 0;
};

auto square = [](auto x) noexcept -> decltype(x * x) { return x * x; };
static_assert(sizeof(int) >= 4, "int must be at least 32 bits");
constexpr double kPi = 3.14159265358979323846;

} // namespace kiln::demo
