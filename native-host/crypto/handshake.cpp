#include "crypto/handshake.hpp"

#include <sodium.h>

#include <cassert>
#include <cstdio>
#include <cstring>
#include <utility>

namespace cotab::crypto {
namespace {

static_assert(tag_bytes == crypto_auth_hmacsha256_BYTES);
static_assert(crypto_auth_hmacsha256_KEYBYTES == 32);
static_assert(crypto_kdf_KEYBYTES == 32);
static_assert(stream_key_bytes == crypto_secretstream_xchacha20poly1305_KEYBYTES);
static_assert(protocol::limits::sas_digits == 6, "sas() formats exactly six digits");
static_assert(handshake_version == protocol::limits::protocol_version);

constexpr char kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "cotab_v1";
static_assert(sizeof(kdf_context) - 1 == crypto_kdf_CONTEXTBYTES);
constexpr std::string_view key_schedule_label = "cotab/1 key schedule";
constexpr std::string_view confirm_a_label = "cotab/1 confirm-a";
constexpr std::string_view confirm_b_label = "cotab/1 confirm-b";

}  // namespace

handshake::handshake(role r, const secure_bytes& password, std::span<const std::uint8_t> sid)
    : handshake(r, password, sid, cpace::sample_scalar()) {}

handshake handshake::with_scalar(role r, const secure_bytes& password,
                                 std::span<const std::uint8_t> sid,
                                 std::span<const std::uint8_t, cpace::scalar_bytes> scalar) {
  return handshake(r, password, sid, secure_bytes(std::span<const std::uint8_t>(scalar)));
}

handshake::handshake(role r, const secure_bytes& password, std::span<const std::uint8_t> sid,
                     secure_bytes scalar)
    : role_(r), scalar_(std::move(scalar)), sid_(sid.begin(), sid.end()) {
  assert(!password.empty());
  assert(scalar_.size() == cpace::scalar_bytes);
  ensure_sodium();
  secure_bytes g = cpace::calculate_generator(password.span(), cpace::as_bytes(channel_identifier),
                                              sid_);
  own_y_ = cpace::scalar_mult(std::span<const std::uint8_t, cpace::scalar_bytes>(scalar_.data(),
                                                                                 cpace::scalar_bytes),
                              g.span());
  // Only a zero scalar (mod the group order) gives G.I here; a caller-fixed scalar must not.
  assert(!cpace::is_identity(own_y_));
}

std::vector<std::uint8_t> handshake::start() {
  assert(role_ == role::initiator && state_ == state::initial);
  std::vector<std::uint8_t> frame;
  frame.reserve(cpace_a_frame_bytes);
  frame.push_back(frame_kind::cpace_a);
  frame.push_back(handshake_version);
  frame.insert(frame.end(), own_y_.begin(), own_y_.end());
  state_ = state::awaiting_cpace_b;
  return frame;
}

error handshake::fail(errc code, std::string message) {
  state_ = state::failed;
  scalar_ = secure_bytes();
  prk_ = secure_bytes();
  return make_error(code, std::move(message));
}

result<std::vector<std::uint8_t>> handshake::on_frame(std::span<const std::uint8_t> frame) {
  if (state_ == state::failed)
    return make_error(errc::protocol_violation, "handshake frame after the handshake failed");
  if (frame.empty()) return fail(errc::protocol_violation, "empty peer frame");

  switch (frame[0]) {
    case frame_kind::abort: {
      // Accepted in every state: the peer is ending the session and says why. (Whoever can
      // inject it could also just drop frames, so honouring it gives nothing away.)
      auto name = frame.subspan(1);
      if (name.empty() || name.size() > abort_name_max_bytes)
        return fail(errc::protocol_violation, "abort frame with a bad name length");
      auto code = protocol::parse_error_name(
          std::string_view(reinterpret_cast<const char*>(name.data()), name.size()));
      if (!code) return fail(errc::protocol_violation, "abort frame names an unknown error");
      return fail(*code, "the peer aborted the handshake");
    }
    case frame_kind::cpace_a:
      if (role_ != role::responder || state_ != state::initial)
        return fail(errc::protocol_violation, "unexpected cpace-a frame");
      return on_cpace_a(frame);
    case frame_kind::cpace_b:
      if (role_ != role::initiator || state_ != state::awaiting_cpace_b)
        return fail(errc::protocol_violation, "unexpected cpace-b frame");
      return on_cpace_b(frame);
    case frame_kind::confirm_a:
      if (role_ != role::responder || state_ != state::awaiting_confirm_a)
        return fail(errc::protocol_violation, "unexpected confirm-a frame");
      return on_confirm_a(frame);
    default:
      return fail(errc::protocol_violation, "not a handshake frame");
  }
}

result<std::vector<std::uint8_t>> handshake::on_cpace_a(std::span<const std::uint8_t> frame) {
  // The version is checked before the length so that a later version with a different layout
  // is reported as what it is.
  if (frame.size() < 2) return fail(errc::protocol_violation, "cpace-a frame too short");
  if (frame[1] != handshake_version) return fail(errc::version_mismatch, "cpace-a version");
  if (frame.size() != cpace_a_frame_bytes)
    return fail(errc::protocol_violation, "cpace-a frame has the wrong length");
  auto ya = frame.subspan(2, cpace::point_bytes);

  if (auto ok = agree(ya, own_y_); !ok) return std::move(ok).err();
  auto tag_b = tag(kdf_id::confirm_b, confirm_b_label);

  std::vector<std::uint8_t> reply;
  reply.reserve(cpace_b_frame_bytes);
  reply.push_back(frame_kind::cpace_b);
  reply.push_back(handshake_version);
  reply.insert(reply.end(), own_y_.begin(), own_y_.end());
  reply.insert(reply.end(), tag_b.begin(), tag_b.end());
  state_ = state::awaiting_confirm_a;
  return reply;
}

result<std::vector<std::uint8_t>> handshake::on_cpace_b(std::span<const std::uint8_t> frame) {
  if (frame.size() < 2) return fail(errc::protocol_violation, "cpace-b frame too short");
  if (frame[1] != handshake_version) return fail(errc::version_mismatch, "cpace-b version");
  if (frame.size() != cpace_b_frame_bytes)
    return fail(errc::protocol_violation, "cpace-b frame has the wrong length");
  auto yb = frame.subspan(2, cpace::point_bytes);
  auto their_tag = frame.subspan(2 + cpace::point_bytes, tag_bytes);

  if (auto ok = agree(own_y_, yb); !ok) return std::move(ok).err();
  auto expected = tag(kdf_id::confirm_b, confirm_b_label);
  const bool match = crypto_verify_32(expected.data(), their_tag.data()) == 0;
  sodium_memzero(expected.data(), expected.size());
  if (!match) return fail(errc::bad_code, "key confirmation failed (cpace-b tag)");

  auto tag_a = tag(kdf_id::confirm_a, confirm_a_label);
  std::vector<std::uint8_t> reply;
  reply.reserve(confirm_a_frame_bytes);
  reply.push_back(frame_kind::confirm_a);
  reply.insert(reply.end(), tag_a.begin(), tag_a.end());
  state_ = state::confirmed;
  return reply;
}

result<std::vector<std::uint8_t>> handshake::on_confirm_a(std::span<const std::uint8_t> frame) {
  if (frame.size() != confirm_a_frame_bytes)
    return fail(errc::protocol_violation, "confirm-a frame has the wrong length");
  auto their_tag = frame.subspan(1, tag_bytes);
  auto expected = tag(kdf_id::confirm_a, confirm_a_label);
  const bool match = crypto_verify_32(expected.data(), their_tag.data()) == 0;
  sodium_memzero(expected.data(), expected.size());
  if (!match) return fail(errc::bad_code, "key confirmation failed (confirm-a tag)");
  state_ = state::confirmed;
  return std::vector<std::uint8_t>{};
}

result<void> handshake::agree(std::span<const std::uint8_t> ya, std::span<const std::uint8_t> yb) {
  const bool initiator = role_ == role::initiator;
  auto peer_y = initiator ? yb : ya;
  secure_bytes k = cpace::scalar_mult_vfy(
      std::span<const std::uint8_t, cpace::scalar_bytes>(scalar_.data(), cpace::scalar_bytes),
      peer_y);
  scalar_ = secure_bytes();  // y is single-use; wipe it as soon as K exists
  if (cpace::is_identity(k.span()))
    return fail(errc::bad_code, "the peer's CPace share is invalid or the neutral element");

  transcript_ = cpace::transcript_ir(ya, {}, yb, {});
  secure_bytes isk = cpace::derive_isk(sid_, k.span(), transcript_);
  prk_ = secure_bytes(crypto_kdf_KEYBYTES);
  crypto_generichash(prk_.data(), prk_.size(),
                     reinterpret_cast<const unsigned char*>(key_schedule_label.data()),
                     key_schedule_label.size(), isk.data(), isk.size());
  return {};
}

secure_bytes handshake::subkey(std::uint64_t id) const {
  assert(prk_.size() == crypto_kdf_KEYBYTES);
  secure_bytes key(32);
  crypto_kdf_derive_from_key(key.data(), key.size(), id, kdf_context, prk_.data());
  return key;
}

std::array<std::uint8_t, tag_bytes> handshake::tag(std::uint64_t key_id,
                                                  std::string_view label) const {
  secure_bytes key = subkey(key_id);
  secure_bytes state(sizeof(crypto_auth_hmacsha256_state));
  auto* st = reinterpret_cast<crypto_auth_hmacsha256_state*>(state.data());
  crypto_auth_hmacsha256_init(st, key.data(), key.size());
  crypto_auth_hmacsha256_update(st, reinterpret_cast<const unsigned char*>(label.data()),
                                label.size());
  crypto_auth_hmacsha256_update(st, transcript_.data(), transcript_.size());
  std::array<std::uint8_t, tag_bytes> out{};
  crypto_auth_hmacsha256_final(st, out.data());
  return out;
}

std::string handshake::sas() const {
  assert(confirmed());
  secure_bytes key = subkey(kdf_id::sas);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | key.data()[i];  // little-endian
  const auto n = static_cast<unsigned>(v % 1000000u);
  sodium_memzero(&v, sizeof v);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03u %03u", n / 1000u, n % 1000u);
  return std::string(buf);
}

secure_bytes handshake::stream_key(std::uint32_t epoch, bool sending) const {
  assert(confirmed());
  // dir 0 = initiator -> responder, 1 = responder -> initiator.
  const std::uint64_t dir = ((role_ == role::initiator) == sending) ? 0 : 1;
  return subkey(kdf_id::stream_base + 2 * static_cast<std::uint64_t>(epoch) + dir);
}

std::vector<std::uint8_t> abort_frame(errc code) {
  assert(code != errc::ok);
  std::string_view name = protocol::error_name(code);
  assert(!name.empty() && name.size() <= abort_name_max_bytes);
  std::vector<std::uint8_t> frame;
  frame.reserve(1 + name.size());
  frame.push_back(frame_kind::abort);
  frame.insert(frame.end(), name.begin(), name.end());
  return frame;
}

}  // namespace cotab::crypto
