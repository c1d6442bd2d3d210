#pragma once
// The cotab key agreement between two hosts: CPace (initiator-responder) + explicit key
// confirmation + key schedule + short authentication string. A pure state machine over peer
// frames (bytes in, bytes out), so it can be driven by the session and by a fuzzer alike.
// The exact protocol is documented in shared/protocol/key-agreement.md.
//
//   initiator (customer)                       responder (agent)
//   start()            -- cpace-a  (Ya) -->     on_frame -> K, ISK, keys
//   on_frame: check    <-- cpace-b (Yb,tag_b)--
//   tag_b, confirmed   -- confirm-a (tag_a) --> on_frame: check tag_a, confirmed
//
// Frame layouts (first byte = kind; all lengths exact):
//   0x01 cpace-a   : kind | version | Ya(32)               34 bytes
//   0x02 cpace-b   : kind | version | Yb(32) | tag_b(32)   66 bytes
//   0x03 confirm-a : kind | tag_a(32)                      33 bytes
//   0x04 abort     : kind | error name, ASCII (1..64)
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"
#include "crypto/cpace.hpp"

namespace cotab::crypto {

enum class role {
  initiator,  // the customer's host: allocated the nameplate, speaks first
  responder,  // the agent's host: claimed the nameplate
};

namespace frame_kind {
inline constexpr std::uint8_t cpace_a = 0x01;
inline constexpr std::uint8_t cpace_b = 0x02;
inline constexpr std::uint8_t confirm_a = 0x03;
inline constexpr std::uint8_t abort = 0x04;
// 0x10 stream-header and 0x11 stream-data belong to the peer stream layer, not to this one.
}  // namespace frame_kind

inline constexpr std::uint8_t handshake_version = 1;
inline constexpr std::string_view channel_identifier = "cotab/1";  // CPace CI
inline constexpr std::size_t tag_bytes = 32;                        // HMAC-SHA-256
inline constexpr std::size_t cpace_a_frame_bytes = 2 + cpace::point_bytes;
inline constexpr std::size_t cpace_b_frame_bytes = 2 + cpace::point_bytes + tag_bytes;
inline constexpr std::size_t confirm_a_frame_bytes = 1 + tag_bytes;
inline constexpr std::size_t abort_name_max_bytes = 64;
inline constexpr std::size_t stream_key_bytes = 32;

// crypto_kdf subkey ids under context "cotab_v1" (see key-agreement.md).
namespace kdf_id {
inline constexpr std::uint64_t confirm_a = 1;
inline constexpr std::uint64_t confirm_b = 2;
inline constexpr std::uint64_t sas = 3;
inline constexpr std::uint64_t stream_base = 16;  // + 2 * epoch + dir (0 = initiator->responder)
}  // namespace kdf_id

class handshake {
 public:
  // password: the canonical session code (session_code::password), used as CPace PRS.
  // sid: the room id the relay sent at pairing (16 bytes in cotab/1; any length is accepted,
  // a mismatch between the two sides simply makes confirmation fail).
  // Draws a fresh random scalar.
  handshake(role r, const secure_bytes& password, std::span<const std::uint8_t> sid);

  // Same with a fixed scalar, for known-answer tests only.
  static handshake with_scalar(role r, const secure_bytes& password,
                               std::span<const std::uint8_t> sid,
                               std::span<const std::uint8_t, cpace::scalar_bytes> scalar);

  handshake(handshake&&) noexcept = default;
  handshake& operator=(handshake&&) noexcept = default;

  role which() const noexcept { return role_; }

  // Initiator only, once (asserted): the cpace-a frame to send.
  std::vector<std::uint8_t> start();

  // Feeds one peer frame. Returns the frame to send in reply (empty if none), or an error:
  //   abort frame                   -> the error it names (unknown name -> protocol_violation)
  //   wrong tag, invalid/identity Y -> bad_code (send abort_frame(bad_code) to the peer)
  //   version byte != 1             -> version_mismatch
  //   wrong length, a kind not expected in this state (including any frame after completion,
  //   and kinds this layer does not own) -> protocol_violation
  // After any error the handshake is failed for good: secrets are wiped and every further
  // frame returns protocol_violation. Never aborts on any input.
  result<std::vector<std::uint8_t>> on_frame(std::span<const std::uint8_t> frame);

  // Initiator: after verifying tag_b (its reply to cpace-b is confirm-a).
  // Responder: after verifying tag_a.
  bool confirmed() const noexcept { return state_ == state::confirmed; }
  bool failed() const noexcept { return state_ == state::failed; }

  // "123 456": six digits both humans can read aloud. Precondition: confirmed().
  std::string sas() const;

  // The secretstream key of this side's sending (or receiving) direction for `epoch`.
  // The initiator's sending key equals the responder's receiving key. Precondition: confirmed().
  secure_bytes stream_key(std::uint32_t epoch, bool sending) const;

 private:
  enum class state { initial, awaiting_cpace_b, awaiting_confirm_a, confirmed, failed };

  handshake(role r, const secure_bytes& password, std::span<const std::uint8_t> sid,
            secure_bytes scalar);

  result<std::vector<std::uint8_t>> on_cpace_a(std::span<const std::uint8_t> frame);
  result<std::vector<std::uint8_t>> on_cpace_b(std::span<const std::uint8_t> frame);
  result<std::vector<std::uint8_t>> on_confirm_a(std::span<const std::uint8_t> frame);
  // K = scalar_mult_vfy(own scalar, peer Y); ISK; prk. Wipes the scalar. Fails on G.I.
  result<void> agree(std::span<const std::uint8_t> ya, std::span<const std::uint8_t> yb);
  secure_bytes subkey(std::uint64_t id) const;
  std::array<std::uint8_t, tag_bytes> tag(std::uint64_t key_id, std::string_view label) const;
  error fail(errc code, std::string message);

  role role_;
  state state_ = state::initial;
  secure_bytes scalar_;           // y, until K is computed
  cpace::point own_y_{};          // Ya or Yb (public)
  std::vector<std::uint8_t> sid_;
  std::vector<std::uint8_t> transcript_;  // transcript_ir(Ya, "", Yb, "") (public)
  secure_bytes prk_;              // BLAKE2b-256 keyed with ISK; root of every cotab key
};

// The abort frame naming `code` (a registry error; not errc::ok).
std::vector<std::uint8_t> abort_frame(errc code);

}  // namespace cotab::crypto
