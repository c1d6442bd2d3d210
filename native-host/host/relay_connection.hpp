#pragma once
// The host's WebSocket connection to cotab-relay: TLS (verified against the system's CAs, plus
// COTAB_RELAY_CA_FILE when set, with host name checking) or plaintext to a loopback address only.
// One outstanding write with a bounded queue; frames are written in the order they are queued.
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"
#include "host/relay_url.hpp"

namespace cotab::host {

struct relay_message {
  bool text = false;
  std::string bytes;
};

class relay_connection {
 public:
  virtual ~relay_connection() = default;

  // Resolves, connects (TLS handshake when wss) and upgrades to WebSocket, all within `timeout`.
  // Errors: insecure-relay, relay-unreachable, relay-tls-failed, handshake-timeout.
  virtual boost::asio::awaitable<result<void>> connect(std::chrono::milliseconds timeout) = 0;
  // The next relay message. Errors: relay-lost (closed, reset, or the idle timeout fired),
  // relay-frame-too-large.
  virtual boost::asio::awaitable<result<relay_message>> read() = 0;
  // Queues one frame. Errors: send-queue-full (more than `queue_limit` bytes waiting).
  virtual result<void> send(bool text, std::string bytes) = 0;
  // Sends what is queued, then closes the WebSocket normally; `done` runs when the close has
  // completed or failed.
  virtual void close_after_flush(std::function<void()> done = {}) = 0;
  // Cancels everything now (the read in progress fails with relay-lost).
  virtual void abort() = 0;
  virtual std::size_t queued_bytes() const = 0;
};

// Creates an unconnected connection for `url`. `tls` is used for wss:// only.
std::shared_ptr<relay_connection> make_relay_connection(boost::asio::any_io_executor ex, const relay_url& url,
                                                        boost::asio::ssl::context& tls, std::size_t queue_limit);

// A client TLS context: TLS 1.2+, peer verification with the default CA paths, plus the CA file
// named by COTAB_RELAY_CA_FILE (a development/test knob; enterprises use the system store).
boost::asio::ssl::context make_client_tls_context();

}  // namespace cotab::host
