#pragma once
// The host's side of the native messaging port: writes frames to stdout (and nothing else ever
// goes to stdout), chunking any message above chunk_budget_bytes.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"

namespace cotab::host {

class extension_port {
 public:
  explicit extension_port(int fd = 1) : fd_(fd) {}

  // A small control message (hello, code, peer, status, ended, error).
  void send(const nlohmann::json& message);
  // {"type":"recv","data":<data>} where `data` is JSON text already validated; chunked as needed.
  void send_recv(std::string_view data);
  // {"type":"error","code":…,"message":…,"fatal":…[,"id":…]}
  // `fatal` defaults to the registry's flag; a session-ending failure passes true.
  void send_error(const error& e, std::optional<std::uint64_t> id = std::nullopt, std::optional<bool> fatal = std::nullopt);

  // While diverted, every message goes whole (never chunked) to `sink` instead of stdout: the
  // data channel (PROTOCOL.md §3.4) once it is up. undivert() goes back to stdout.
  void divert(std::function<void(std::string&&)> sink) { divert_ = std::move(sink); }
  void undivert() { divert_ = nullptr; }
  // A message holding a secret (the channel offer), always on stdout; the frame is wiped after.
  void send_secret(const secure_bytes& text);

  // False once a write failed (the browser closed the port); further writes are dropped.
  bool open() const noexcept { return open_; }

 private:
  void write_frame(std::string_view payload);
  void write_all(std::string_view frame);

  std::function<void(std::string&&)> divert_;
  int fd_;
  bool open_ = true;
  std::uint64_t next_chunk_id_ = 1;
};

}  // namespace cotab::host
