#pragma once
// Per-key token bucket (key = client IP). Pure: the caller passes the time, so tests drive it
// with a fake clock. Not thread-safe (the relay runs on one thread).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cotab::relay {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // `per_minute` tokens are added per minute, up to `burst` tokens per key (both clamped to
  // 1..1000000).
  rate_limiter(std::uint64_t per_minute, std::uint64_t burst, std::size_t max_keys = 100000);

  // Takes one token for `key` if it has one.
  bool try_acquire(std::string_view key, clock::time_point now);

  std::size_t tracked_keys() const noexcept { return buckets_.size(); }

 private:
  // Integer arithmetic, exact: one token = 60000 units; each millisecond adds per_minute units.
  static constexpr std::uint64_t units_per_token = 60000;
  struct bucket {
    std::uint64_t units;
    clock::time_point updated;  // advanced by whole milliseconds only, so no time is lost
  };
  void refill(bucket& b, clock::time_point now) const;
  void prune(clock::time_point now);

  std::uint64_t per_minute_;
  std::uint64_t burst_units_;
  std::size_t max_keys_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace cotab::relay
