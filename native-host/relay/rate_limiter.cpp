#include "relay/rate_limiter.hpp"

#include <algorithm>

namespace cotab::relay {

rate_limiter::rate_limiter(std::uint64_t per_minute, std::uint64_t burst, std::size_t max_keys)
    : per_minute_(std::clamp<std::uint64_t>(per_minute, 1, 1000000)),
      burst_units_(std::clamp<std::uint64_t>(burst, 1, 1000000) * units_per_token),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

void rate_limiter::refill(bucket& b, clock::time_point now) const {
  if (now <= b.updated) return;  // a clock that does not move (or a stale caller) adds nothing
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - b.updated);
  // Long pauses refill completely; capping first keeps the product far from overflow.
  std::uint64_t full_after_ms = burst_units_ / per_minute_ + 1;
  std::uint64_t ms = std::min<std::uint64_t>(static_cast<std::uint64_t>(elapsed.count()), full_after_ms);
  b.units = std::min(burst_units_, b.units + ms * per_minute_);
  b.updated += elapsed;
}

// Full buckets carry no information: forget them so the table stays bounded by the number of
// recently active addresses.
void rate_limiter::prune(clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    if (it->second.units >= burst_units_) it = buckets_.erase(it);
    else ++it;
  }
}

bool rate_limiter::try_acquire(std::string_view key, clock::time_point now) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    // Still full after pruning: refuse rather than grow without bound (an address flood).
    if (buckets_.size() >= max_keys_) return false;
    it = buckets_.emplace(std::string(key), bucket{burst_units_, now}).first;
  }
  bucket& b = it->second;
  refill(b, now);
  if (b.units < units_per_token) return false;
  b.units -= units_per_token;
  return true;
}

}  // namespace cotab::relay
