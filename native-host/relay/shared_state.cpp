#include "relay/shared_state.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <ctime>
#include <optional>

namespace cotab::relay {

connection_slot& connection_slot::operator=(connection_slot&& o) noexcept {
  if (this != &o) {
    if (state_ != nullptr) state_->release_slot();
    state_ = std::exchange(o.state_, nullptr);
  }
  return *this;
}

connection_slot::~connection_slot() {
  if (state_ != nullptr) state_->release_slot();
}

shared_state::shared_state(config cfg)
    : cfg_(std::move(cfg)),
      nameplates_(cfg_.nameplate_ttl),
      claims_(cfg_.claims_per_minute, cfg_.claims_per_minute) {}

std::optional<shared_state::admission> shared_state::admit() {
  // Beyond the limit we still answer a few connections with relay-full so clients learn why;
  // past that small budget the socket is dropped outright.
  constexpr std::size_t refusal_budget = 64;
  if (connections_ >= cfg_.max_connections + refusal_budget) return std::nullopt;
  admission a{connection_slot(this), connections_ >= cfg_.max_connections};
  ++connections_;
  return a;
}

void shared_state::release_slot() {
  --connections_;
  if (draining_ && connections_ == 0 && on_drained_) {
    auto done = std::move(on_drained_);
    on_drained_ = nullptr;
    done();
  }
}

void shared_state::add_peer(const std::shared_ptr<peer>& p) { peers_[p->id()] = p; }

void shared_state::remove_peer(std::uint64_t id) {
  peers_.erase(id);
  nameplates_.release(id);
}

result<std::string> shared_state::allocate(peer& allocator) {
  auto plate = nameplates_.allocate(allocator.id(), clock::now());
  if (plate) {
    audit({{"event", "allocated"},
           {"nameplate", *plate},
           {"ip", allocator.ip()},
           {"start", format_time(std::chrono::system_clock::now())}});
  }
  return plate;
}

result<void> shared_state::claim(const std::shared_ptr<peer>& claimer, std::string_view nameplate) {
  if (!claims_.try_acquire(claimer->ip(), clock::now()))
    return make_error(errc::rate_limited, "too many claims from this address");
  auto owner = nameplates_.claim(nameplate, clock::now());  // burns it, whatever happens next
  if (!owner) return std::move(owner).err();
  auto it = peers_.find(*owner);
  std::shared_ptr<peer> allocator = it == peers_.end() ? nullptr : it->second.lock();
  if (!allocator) return make_error(errc::nameplate_unknown, "the allocator is gone");

  auto r = std::make_shared<room>();
  r->id = random_room_id();
  r->nameplate.assign(nameplate);
  r->initiator_ip = allocator->ip();
  r->responder_ip = claimer->ip();
  r->start_wall = std::chrono::system_clock::now();
  r->start = clock::now();
  ++rooms_;
  audit({{"event", "paired"},
         {"room", r->id},
         {"nameplate", r->nameplate},
         {"initiator_ip", r->initiator_ip},
         {"responder_ip", r->responder_ip},
         {"start", format_time(r->start_wall)}});
  allocator->paired(r, claimer, role::initiator);
  claimer->paired(r, allocator, role::responder);
  return {};
}

void shared_state::expire_nameplates() {
  for (auto owner : nameplates_.expire(clock::now())) {
    auto it = peers_.find(owner);
    if (it == peers_.end()) continue;
    if (auto p = it->second.lock()) p->nameplate_expired();
  }
}

void shared_state::end_room(room& r, std::string_view reason) {
  if (r.ended) return;
  r.ended = true;
  --rooms_;
  auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - r.start);
  audit({{"event", "ended"},
         {"room", r.id},
         {"nameplate", r.nameplate},
         {"initiator_ip", r.initiator_ip},
         {"responder_ip", r.responder_ip},
         {"start", format_time(r.start_wall)},
         {"duration_ms", duration.count()},
         {"reason", reason}});
}

void shared_state::start_drain(std::function<void()> on_drained) {
  if (draining_) return;
  draining_ = true;
  on_drained_ = std::move(on_drained);
  // Copy first: shutdown() may end sessions synchronously and modify peers_.
  std::vector<std::shared_ptr<peer>> live;
  for (auto& [id, weak] : peers_)
    if (auto p = weak.lock()) live.push_back(std::move(p));
  for (auto& p : live) p->shutdown();
  if (connections_ == 0 && on_drained_) {
    auto done = std::move(on_drained_);
    on_drained_ = nullptr;
    done();
  }
}

nlohmann::json shared_state::health() const {
  return {{"status", draining_ ? "draining" : "ok"},
          {"connections", connections_},
          {"pending", nameplates_.size()},
          {"sessions", rooms_}};
}

void shared_state::audit(const nlohmann::json& line) {
  nlohmann::json out = line;
  out["log"] = "audit";
  auto text = out.dump();
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

std::string random_room_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: unsafe to go on
  static const char* digits = "0123456789abcdef";
  std::string out(32, '0');
  for (std::size_t i = 0; i < sizeof bytes; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

std::string format_time(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace cotab::relay
