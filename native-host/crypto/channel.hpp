#pragma once
// One direction of the encrypted peer channel: crypto_secretstream_xchacha20poly1305 with the
// state kept in secure memory. Every message is authenticated and chained to the ones before it,
// so tampering, loss, reordering, replay and a wrong key (or epoch) all fail to open.
// Only TAG_MESSAGE and TAG_FINAL are used; FINAL ends the stream.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"

namespace cotab::crypto {

inline constexpr std::size_t stream_header_bytes = 24;  // crypto_secretstream_..._HEADERBYTES
inline constexpr std::size_t stream_overhead_bytes = 17;  // crypto_secretstream_..._ABYTES

class stream_sender {
 public:
  // key: 32 bytes (handshake::stream_key(epoch, true)); asserted.
  // header_out: to be sent to the receiver before the first message.
  static stream_sender create(const secure_bytes& key, std::array<std::uint8_t, 24>& header_out);

  stream_sender(stream_sender&&) noexcept = default;
  stream_sender& operator=(stream_sender&&) noexcept = default;

  // Encrypts one message (plaintext.size() + 17 bytes out). final = true marks the end of the
  // stream (TAG_FINAL); sealing after that is a bug (asserted).
  std::vector<std::uint8_t> seal(std::span<const std::uint8_t> plaintext, bool final);

  bool finished() const noexcept { return finished_; }

 private:
  stream_sender() = default;
  secure_bytes state_;
  bool finished_ = false;
};

class stream_receiver {
 public:
  struct opened {
    std::vector<std::uint8_t> plaintext;
    bool final = false;  // the sender ended the stream; nothing may follow
  };

  // key: 32 bytes (asserted). A header that is not exactly 24 bytes -> protocol_violation.
  static result<stream_receiver> create(const secure_bytes& key,
                                        std::span<const std::uint8_t> header);

  stream_receiver(stream_receiver&&) noexcept = default;
  stream_receiver& operator=(stream_receiver&&) noexcept = default;

  // Authentication failure of any kind (tamper, loss, reorder, replay, wrong key or epoch,
  // shorter than the 17-byte overhead) -> decrypt_failed; an unexpected tag or any message
  // after FINAL -> protocol_violation. After an error the stream is dead: every later call
  // returns the same error again (no oracle for probing).
  result<opened> open(std::span<const std::uint8_t> ciphertext);

  bool finished() const noexcept { return finished_; }

 private:
  stream_receiver() = default;
  secure_bytes state_;
  bool finished_ = false;
  errc dead_ = errc::ok;
};

}  // namespace cotab::crypto
