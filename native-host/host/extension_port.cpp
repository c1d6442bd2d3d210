#include "host/extension_port.hpp"

#include <unistd.h>

#include <sodium.h>

#include <cerrno>

#include "common/log.hpp"
#include "wire/chunker.hpp"
#include "wire/frame_decoder.hpp"

namespace cotab::host {

void extension_port::write_frame(std::string_view payload) {
  if (!open_) return;
  std::string frame = wire::encode_frame(payload);
  write_all(frame);
}

void extension_port::write_all(std::string_view frame) {
  std::size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      open_ = false;
      log::info("the extension closed its port; dropping output");
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void extension_port::send(const nlohmann::json& message) {
  std::string text = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (divert_) {
    divert_(std::move(text));
    return;
  }
  wire::write_chunked({text}, next_chunk_id_, [this](std::string_view f) { write_frame(f); });
  ++next_chunk_id_;
}

void extension_port::send_recv(std::string_view data) {
  constexpr std::string_view head = R"({"type":"recv","data":)";
  if (divert_) {
    std::string text;
    text.reserve(head.size() + data.size() + 1);
    text.append(head).append(data).push_back('}');
    divert_(std::move(text));
    return;
  }
  wire::write_chunked({head, data, "}"}, next_chunk_id_,
                      [this](std::string_view f) { write_frame(f); });
  ++next_chunk_id_;
}

void extension_port::send_secret(const secure_bytes& text) {
  if (!open_) return;
  std::string frame = wire::encode_frame(text.chars());
  write_all(frame);
  sodium_memzero(frame.data(), frame.size());
}

void extension_port::send_error(const error& e, std::optional<std::uint64_t> id, std::optional<bool> fatal) {
  nlohmann::json m = {{"type", "error"}, {"code", std::string(e.name())}, {"message", e.message}, {"fatal", fatal.value_or(e.fatal())}};
  if (id) m["id"] = *id;
  send(m);
}

}  // namespace cotab::host
