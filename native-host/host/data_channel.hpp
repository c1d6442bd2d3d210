#pragma once
// The loopback data channel (PROTOCOL.md §3.4): a WebSocket on 127.0.0.1 that carries a
// session's messages between the extension and this host instead of native messaging, which
// wakes slowly after an idle moment.
//
// One channel per session, in three steps:
//   offered   the listener is open on 127.0.0.1:<ephemeral>; connections are checked (path
//             /channel, Host 127.0.0.1:<port>, Origin = the calling extension), then must send
//             the one-time token as their first message. Refusals are counted, and at most
//             max_refusals connections are served at once (more are refused at accept).
//   up        the first connection with the token won: the token is wiped, the listener closed.
//             Its messages are held until release_input() (the extension's native barrier).
//   closed    close() or a failure; no event after that.
// Failures: before `up`, too many refusals or no token in time -> events.failed(channel-refused);
// once up, the socket closing or a binary or oversized message -> events.failed(channel-lost).
// Backpressure, as with stdout: while more than watermark_bytes wait for the extension, the host
// does not read the relay (wait_writable), so the relay's own backpressure reaches the sender.
// Everything runs on the host's io_context thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"

namespace cotab::host {

struct data_channel_options {
  std::chrono::milliseconds accept_timeout{protocol::limits::channel_accept_timeout_ms};
  unsigned max_refusals = protocol::limits::channel_max_refusals;
  std::size_t watermark_bytes = protocol::limits::channel_watermark_bytes;
  std::size_t max_message_bytes = protocol::limits::max_message_bytes + 1024;
};

class data_channel {
 public:
  struct events {
    std::function<void()> accepted;                 // a connection presented the token
    std::function<void(std::string&& text)> message;  // one text message, after release_input()
    std::function<void(error failure)> failed;      // channel-refused (before up) or channel-lost
  };

  virtual ~data_channel() = default;

  // The offer, as the native message {"type":"channel","port":…,"token":"…"}, in secure memory
  // (the caller writes it to the port and lets it go).
  virtual secure_bytes offer_message() const = 0;
  virtual bool up() const = 0;
  // The extension's barrier arrived: deliver the held messages, then every later one.
  virtual void release_input() = 0;
  // Queues one text message for the extension (only once up; false otherwise).
  virtual bool send(std::string text) = 0;
  // Completes at once unless more than watermark_bytes are queued; then when half of it is
  // written (or the channel closed).
  virtual boost::asio::awaitable<void> wait_writable() = 0;
  // Writes what is queued, then closes the socket normally; closes the listener. No events after.
  virtual void close() = 0;
};

// Opens the listener on 127.0.0.1 and makes the token. `origin` is the calling extension's
// origin without its final '/', e.g. "chrome-extension://<id>". Errors: channel-refused.
result<std::shared_ptr<data_channel>> open_data_channel(boost::asio::any_io_executor ex, std::string origin,
                                                        data_channel::events events,
                                                        data_channel_options options = {});

}  // namespace cotab::host
