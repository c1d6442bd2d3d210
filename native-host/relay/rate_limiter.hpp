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

  // `per_minute` tokens are added per minute, up to `burst` tokens per key.
  rate_limiter(std::uint64_t per_minute, std::uint64_t burst, std::size_t max_keys = 100000);

  // Takes one token for `key` if it has one.
  bool try_acquire(std::string_view key, clock::time_point now);

  std::size_t tracked_keys() const noexcept { return buckets_.size(); }

 private:
  struct bucket {
    double tokens;
    clock::time_point updated;
  };
  void refill(bucket& b, clock::time_point now) const;
  void prune(clock::time_point now);

  double per_ms_;
  double burst_;
  std::size_t max_keys_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace cotab::relay
