#pragma once
// What all connections of one relay share: the nameplate table, the claim rate limiter, the
// registry of live WebSocket sessions (for pairing and for drain), counters for /healthz, and
// the audit log. The relay runs on ONE thread (one io_context, run by one thread), so nothing
// here is locked; every method is called from that thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "relay/config.hpp"
#include "relay/nameplates.hpp"
#include "relay/rate_limiter.hpp"

namespace cotab::relay {

using clock = std::chrono::steady_clock;

enum class role { initiator, responder };
inline std::string_view role_name(role r) { return r == role::initiator ? "initiator" : "responder"; }

// One paired session (two connections). Metadata only: this is what the audit log records.
struct room {
  std::string id;  // 32 lowercase hex chars from 16 CSPRNG bytes
  std::string nameplate;
  std::string initiator_ip;
  std::string responder_ip;
  std::chrono::system_clock::time_point start_wall;
  clock::time_point start;
  bool ended = false;
};

// A WebSocket session as the rest of the relay sees it (session.hpp implements it once per
// stream type). All calls happen on the relay's thread.
class peer {
 public:
  virtual ~peer() = default;
  virtual std::uint64_t id() const noexcept = 0;
  virtual const std::string& ip() const noexcept = 0;

  // Pairing: called on both sides by shared_state::claim.
  virtual void paired(std::shared_ptr<room> r, std::weak_ptr<peer> partner, role my_role) = 0;
  // One binary message from the partner, forwarded unchanged.
  virtual void deliver(boost::beast::flat_buffer message) = 0;
  // Backpressure: the partner's reader stops while this is true and awaits wait_drained().
  virtual bool above_watermark() const noexcept = 0;
  virtual bool accepting_frames() const noexcept = 0;
  virtual boost::asio::awaitable<void> wait_drained() = 0;
  // The partner's connection ended: send peer-gone after what is queued, then close.
  virtual void peer_gone() = 0;
  // The unclaimed nameplate of this (allocating) connection expired.
  virtual void nameplate_expired() = 0;
  // SIGTERM: send closing relay-shutdown after what is queued, then close. The partner is not
  // told peer-gone: it gets its own shutdown() call.
  virtual void shutdown() = 0;
  // A reason that ends both sides alike (session-timeout): the partner closes with the same
  // closing code instead of peer-gone.
  virtual void close_with(errc code) = 0;
};

class shared_state;

// RAII count of one open TCP connection (any phase). Move-only.
class connection_slot {
 public:
  connection_slot() = default;
  explicit connection_slot(shared_state* s) : state_(s) {}
  connection_slot(connection_slot&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
  connection_slot& operator=(connection_slot&& o) noexcept;
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot();

 private:
  shared_state* state_ = nullptr;
};

class shared_state {
 public:
  explicit shared_state(config cfg);

  const config& cfg() const noexcept { return cfg_; }

  // Connection accounting. `admit` returns an empty optional when even the refusal budget is
  // used up (the caller drops the socket); `over_limit` is set when the connection is beyond
  // max_connections and must be answered with relay-full.
  struct admission {
    connection_slot slot;
    bool over_limit = false;
  };
  std::optional<admission> admit();
  std::size_t connections() const noexcept { return connections_; }

  // WebSocket sessions, for pairing and drain.
  std::uint64_t next_id() noexcept { return ++last_id_; }
  void add_peer(const std::shared_ptr<peer>& p);
  void remove_peer(std::uint64_t id);

  // Control operations (called by sessions). Errors carry the wire code.
  result<std::string> allocate(peer& allocator);
  result<void> claim(const std::shared_ptr<peer>& claimer, std::string_view nameplate);
  void release_nameplate(std::uint64_t owner) { nameplates_.release(owner); }
  void expire_nameplates();  // tells each expired allocator
  void end_room(room& r, std::string_view reason);

  // Drain (SIGTERM/SIGINT).
  void start_drain(std::function<void()> on_drained);
  bool draining() const noexcept { return draining_; }
  void forget_drain_callback() { on_drained_ = nullptr; }

  // /healthz body.
  nlohmann::json health() const;

  // One JSON line on stderr; metadata only.
  static void audit(const nlohmann::json& line);

 private:
  friend class connection_slot;
  void release_slot();

  config cfg_;
  nameplates nameplates_;
  rate_limiter claims_;
  std::unordered_map<std::uint64_t, std::weak_ptr<peer>> peers_;
  std::uint64_t last_id_ = 0;
  std::size_t connections_ = 0;
  std::size_t rooms_ = 0;
  bool draining_ = false;
  std::function<void()> on_drained_;
};

// 16 bytes from OpenSSL's CSPRNG as 32 lowercase hex chars.
std::string random_room_id();
// RFC 3339 UTC with milliseconds.
std::string format_time(std::chrono::system_clock::time_point t);

}  // namespace cotab::relay
