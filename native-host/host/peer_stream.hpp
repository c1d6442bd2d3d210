#pragma once
// The data path between two hosts once keys are confirmed. Per direction:
//   message JSON --zstd (one long-lived stream, flushed per message)--> pieces of at most
//   fragment_bytes --record byte--> crypto_secretstream_xchacha20poly1305 --> peer frame
// Peer frames (binary relay messages, first byte = kind):
//   0x10 stream-header: kind | epoch (u32 big-endian) | secretstream header (24 bytes)
//   0x11 stream-data:   kind | secretstream ciphertext of (record byte | body)
// Records: 0x00 fragment with more to come, 0x01 last fragment of a message,
//          0x02 end of session (secretstream TAG_FINAL; body = reason, ASCII, at most 64 bytes).
// Loss, reordering, replay and tampering fail secretstream authentication (decrypt-failed); a
// stream that stops without an end record is truncation (the caller reports peer-lost).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/zstd_stream.hpp"
#include "common/result.hpp"
#include "common/secure_bytes.hpp"
#include "crypto/channel.hpp"

namespace cotab::host {

inline constexpr std::uint8_t kStreamHeader = 0x10;
inline constexpr std::uint8_t kStreamData = 0x11;
inline constexpr std::size_t kMaxEndReason = 64;

using frame_emitter = std::function<void(std::vector<std::uint8_t>&& frame)>;

class peer_writer {
 public:
  peer_writer(const secure_bytes& key, std::uint32_t epoch);

  // The stream-header frame; send it before any data frame.
  const std::vector<std::uint8_t>& header_frame() const noexcept { return header_frame_; }
  // Compresses, fragments and encrypts one message; calls `emit` once per frame.
  void write_message(std::string_view json, const frame_emitter& emit);
  // The final frame of this direction.
  std::vector<std::uint8_t> end_frame(std::string_view reason);

 private:
  std::vector<std::uint8_t> header_frame_;  // declared first: sender_'s initializer fills it
  crypto::stream_sender sender_;
  codec::compressor compressor_;
  std::vector<std::uint8_t> record_;
  bool ended_ = false;
};

class peer_reader {
 public:
  peer_reader(secure_bytes key, std::uint32_t epoch);

  struct event {
    enum class kind { none, message, end };
    kind what = kind::none;
    std::string text;  // the message's JSON (message) or the reason (end)
  };
  // Feeds one stream frame (0x10 or 0x11). Errors: protocol-violation, decrypt-failed,
  // decompress-failed, message-too-large, json-too-deep. After an error the reader is unusable.
  result<event> on_frame(std::span<const std::uint8_t> frame);

 private:
  secure_bytes key_;
  std::uint32_t epoch_;
  std::optional<crypto::stream_receiver> receiver_;
  codec::decompressor decompressor_;
  std::string current_;
  bool ended_ = false;
  bool failed_ = false;
};

}  // namespace cotab::host
