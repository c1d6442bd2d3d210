#include "relay/rate_limiter.hpp"

#include <algorithm>

namespace cotab::relay {

rate_limiter::rate_limiter(std::uint64_t per_minute, std::uint64_t burst, std::size_t max_keys)
    : per_ms_(static_cast<double>(per_minute) / 60000.0),
      burst_(static_cast<double>(std::max<std::uint64_t>(burst, 1))),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

void rate_limiter::refill(bucket& b, clock::time_point now) const {
  if (now <= b.updated) return;  // a clock that does not move (or a stale caller) adds nothing
  auto elapsed_ms = std::chrono::duration<double, std::milli>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed_ms * per_ms_);
  b.updated = now;
}

// Full buckets carry no information: forget them so the table stays bounded by the number of
// recently active addresses.
void rate_limiter::prune(clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    if (it->second.tokens >= burst_) it = buckets_.erase(it);
    else ++it;
  }
}

bool rate_limiter::try_acquire(std::string_view key, clock::time_point now) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    // Still full after pruning: refuse rather than grow without bound (an address flood).
    if (buckets_.size() >= max_keys_) return false;
    it = buckets_.emplace(std::string(key), bucket{burst_, now}).first;
  }
  bucket& b = it->second;
  refill(b, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace cotab::relay
