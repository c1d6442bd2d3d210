#include "relay/nameplates.hpp"

#include <openssl/rand.h>

#include <cstdlib>

namespace cotab::relay {
namespace {

std::uint32_t csprng_u32() {
  std::uint32_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) std::abort();  // no entropy: unsafe to go on
  return v;
}

}  // namespace

nameplates::nameplates(clock::duration ttl, random_source random)
    : ttl_(ttl), random_(random ? std::move(random) : random_source(csprng_u32)) {}

bool nameplates::well_formed(std::string_view nameplate) {
  if (nameplate.size() != 4 || nameplate[0] == '0') return false;
  for (char ch : nameplate)
    if (ch < '0' || ch > '9') return false;
  return true;
}

result<std::string> nameplates::allocate(owner_id owner, clock::time_point now) {
  if (by_owner_.contains(owner)) return make_error(errc::protocol_violation, "this connection already holds a nameplate");
  expire(now);
  if (by_number_.size() >= capacity) return make_error(errc::relay_full, "no free nameplate");
  // Random probes first (the table is usually sparse), then a scan from a random start so a
  // nearly full table still finds its free numbers. Modulo bias over 2^32 is negligible here:
  // nameplates are not secret, only unpredictable enough not to collide.
  unsigned number = 0;
  for (int attempt = 0; attempt < 16 && number == 0; ++attempt) {
    unsigned candidate = first + random_() % capacity;
    if (!by_number_.contains(candidate)) number = candidate;
  }
  if (number == 0) {
    unsigned start = random_() % capacity;
    for (std::size_t i = 0; i < capacity; ++i) {
      unsigned candidate = first + static_cast<unsigned>((start + i) % capacity);
      if (!by_number_.contains(candidate)) {
        number = candidate;
        break;
      }
    }
  }
  if (number == 0) return make_error(errc::relay_full, "no free nameplate");
  by_number_.emplace(number, entry{owner, now + ttl_});
  by_owner_.emplace(owner, number);
  return std::to_string(number);
}

result<owner_id> nameplates::claim(std::string_view nameplate, clock::time_point now) {
  if (!well_formed(nameplate)) return make_error(errc::nameplate_unknown, "nameplate is not 4 digits");
  unsigned number = static_cast<unsigned>(std::atoi(std::string(nameplate).c_str()));
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return make_error(errc::nameplate_unknown, "no session waits under this nameplate");
  entry e = it->second;
  by_number_.erase(it);
  by_owner_.erase(e.owner);
  if (now >= e.expires) return make_error(errc::nameplate_unknown, "nameplate expired");
  return e.owner;
}

void nameplates::release(owner_id owner) {
  auto it = by_owner_.find(owner);
  if (it == by_owner_.end()) return;
  by_number_.erase(it->second);
  by_owner_.erase(it);
}

std::vector<owner_id> nameplates::expire(clock::time_point now) {
  std::vector<owner_id> gone;
  for (auto it = by_number_.begin(); it != by_number_.end();) {
    if (now >= it->second.expires) {
      gone.push_back(it->second.owner);
      by_owner_.erase(it->second.owner);
      it = by_number_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

}  // namespace cotab::relay
