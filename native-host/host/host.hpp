#pragma once
// cotab-host's session logic: the extension's requests in, relay traffic in and out, one session
// at a time. Runs on one io_context thread; stdin is read on another thread and handed over
// frame by frame (on_frame / on_stdin_end).
//
// States: idle -> connecting -> allocating -> waiting -> handshaking -> active -> idle   (share)
//         idle -> connecting -> claiming   ------------> handshaking -> active -> idle   (join)
// Any failure ends the session with error{fatal:true} then ended{reason}; the host itself keeps
// running and accepts a new share/join.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "crypto/code.hpp"
#include "crypto/handshake.hpp"
#include "host/data_channel.hpp"
#include "host/extension_port.hpp"
#include "host/peer_stream.hpp"
#include "host/relay_connection.hpp"
#include "wire/frame_decoder.hpp"

namespace cotab::host {

struct host_options {
  std::chrono::milliseconds handshake_timeout{protocol::limits::host_handshake_timeout_ms};
  std::size_t send_queue_bytes = protocol::limits::host_send_queue_bytes;
  // The calling extension's origin without its final '/': the only Origin the data channel
  // accepts (PROTOCOL.md §3.4).
  std::string extension_origin;
  // False when the administrator turned the data channel off (COTAB_DATA_CHANNEL=off).
  bool data_channel = true;
  data_channel_options channel;
};

class host : public std::enable_shared_from_this<host> {
 public:
  host(boost::asio::io_context& io, extension_port& port, host_options options = {});

  // Both run on the io_context thread.
  void on_frame(wire::frame_event event);
  // stdin reached EOF (truncated = in the middle of a frame). Ends any session (telling the
  // peer), flushes, then stops the io_context.
  void on_stdin_end(bool truncated);

 private:
  enum class state { idle, connecting, allocating, waiting, claiming, handshaking, active };
  struct session;

  void handle_share_or_join(std::optional<std::uint64_t> id, std::string relay, std::optional<std::string_view> typed_code);
  void handle_send(std::optional<std::uint64_t> id, std::string_view data);
  void handle_end(std::optional<std::uint64_t> id);
  void handle_channel(std::optional<std::uint64_t> id);
  void handle_channel_up(std::optional<std::uint64_t> id);
  void on_channel_failed(const std::shared_ptr<session>& s, error failure);
  // Closes the session's data channel (after what is queued on it) and goes back to stdout.
  void close_channel(session& s);

  boost::asio::awaitable<void> run_session(std::shared_ptr<session> s);
  void on_relay_text(session& s, const std::string& text);
  void on_relay_binary(session& s, const std::string& bytes);
  void on_confirmed(session& s);
  // Ends the current session: optional error, then ended{reason}. Safe to call more than once.
  void finish(const std::string& reason, std::optional<error> failure = std::nullopt, bool flush = false);
  void send_status(const char* what);

  boost::asio::io_context& io_;
  extension_port& port_;
  host_options options_;
  boost::asio::ssl::context tls_;
  state state_ = state::idle;
  std::shared_ptr<session> session_;
  bool stdin_closed_ = false;
};

}  // namespace cotab::host
