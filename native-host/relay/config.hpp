#pragma once
// Command-line configuration of cotab-relay. Every limit defaults to its named value in
// shared/protocol/limits.json (through the generated header) and can be overridden by a flag.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace cotab::relay {

using std::chrono::milliseconds;

struct config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;

  std::string tls_cert;  // PEM certificate chain; empty = no TLS
  std::string tls_key;   // PEM private key
  bool insecure_plaintext = false;

  std::uint64_t max_frame_bytes = protocol::limits::relay_max_frame_bytes;
  std::uint64_t control_max_bytes = protocol::limits::relay_control_max_bytes;
  std::uint64_t watermark_bytes = protocol::limits::relay_queue_watermark_bytes;
  milliseconds slow_consumer_timeout{protocol::limits::slow_consumer_timeout_ms};
  milliseconds handshake_timeout{protocol::limits::relay_handshake_timeout_ms};
  milliseconds idle_timeout{protocol::limits::relay_idle_timeout_ms};
  milliseconds nameplate_ttl{protocol::limits::nameplate_ttl_ms};
  milliseconds session_max{protocol::limits::relay_session_max_ms};
  std::uint64_t claims_per_minute = protocol::limits::relay_claims_per_minute;
  std::uint64_t max_connections = protocol::limits::relay_max_connections;
  milliseconds drain_timeout{protocol::limits::relay_drain_timeout_ms};

  bool tls() const noexcept { return !tls_cert.empty(); }
};

// What parse_args decided: run with a config, print help and exit 0, or exit 2 with a message.
struct parse_outcome {
  enum class action { run, help, fail } what = action::fail;
  config cfg;
  std::string message;  // for fail: what was wrong
};

parse_outcome parse_args(const std::vector<std::string>& args);  // args without argv[0]
std::string usage();

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z). "localhost" is not accepted as a
// listen address: the relay binds numeric addresses only.
bool is_loopback(std::string_view address);

}  // namespace cotab::relay
