#pragma once
// The nameplate table: 4-digit numbers (1000-9999) handed to allocators and claimed exactly
// once. Pure and clock-injected (callers pass `now`); the random source is injected too, so
// tests are deterministic. Not thread-safe (the relay runs on one thread).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace cotab::relay {

using owner_id = std::uint64_t;  // the allocating connection

class nameplates {
 public:
  using clock = std::chrono::steady_clock;
  using random_source = std::function<std::uint32_t()>;

  static constexpr unsigned first = 1000;
  static constexpr unsigned last = 9999;
  static constexpr std::size_t capacity = last - first + 1;

  // `random` defaults to OpenSSL's CSPRNG.
  explicit nameplates(clock::duration ttl, random_source random = {});

  // A random free nameplate for `owner` (one per owner), or relay-full.
  result<std::string> allocate(owner_id owner, clock::time_point now);

  // Removes (burns) the nameplate whatever happens next and returns its allocator, or
  // nameplate-unknown (never allocated, expired, already claimed, or not 4 digits).
  result<owner_id> claim(std::string_view nameplate, clock::time_point now);

  // The allocator went away: its nameplate, if still waiting, is freed.
  void release(owner_id owner);

  // Removes every nameplate whose TTL has passed and returns their owners.
  std::vector<owner_id> expire(clock::time_point now);

  std::size_t size() const noexcept { return by_number_.size(); }
  static bool well_formed(std::string_view nameplate);

 private:
  struct entry {
    owner_id owner;
    clock::time_point expires;
  };
  clock::duration ttl_;
  random_source random_;
  std::unordered_map<unsigned, entry> by_number_;
  std::unordered_map<owner_id, unsigned> by_owner_;
};

}  // namespace cotab::relay
