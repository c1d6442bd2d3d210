#include "crypto/channel.hpp"

#include <sodium.h>

#include <cassert>

namespace cotab::crypto {
namespace {

static_assert(stream_header_bytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(stream_overhead_bytes == crypto_secretstream_xchacha20poly1305_ABYTES);
using stream_state = crypto_secretstream_xchacha20poly1305_state;

}  // namespace

stream_sender stream_sender::create(const secure_bytes& key,
                                    std::array<std::uint8_t, 24>& header_out) {
  assert(key.size() == crypto_secretstream_xchacha20poly1305_KEYBYTES);
  ensure_sodium();
  stream_sender s;
  s.state_ = secure_bytes(sizeof(stream_state));
  crypto_secretstream_xchacha20poly1305_init_push(reinterpret_cast<stream_state*>(s.state_.data()),
                                                  header_out.data(), key.data());
  return s;
}

std::vector<std::uint8_t> stream_sender::seal(std::span<const std::uint8_t> plaintext, bool final) {
  assert(!finished_ && !state_.empty());
  assert(plaintext.size() <= crypto_secretstream_xchacha20poly1305_MESSAGEBYTES_MAX);
  std::vector<std::uint8_t> out(plaintext.size() + stream_overhead_bytes);
  const unsigned char tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                  : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  unsigned long long written = 0;
  crypto_secretstream_xchacha20poly1305_push(reinterpret_cast<stream_state*>(state_.data()),
                                             out.data(), &written, plaintext.data(),
                                             plaintext.size(), nullptr, 0, tag);
  assert(written == out.size());
  if (final) {
    finished_ = true;
    state_ = secure_bytes();  // wipe: nothing more may be sealed
  }
  return out;
}

result<stream_receiver> stream_receiver::create(const secure_bytes& key,
                                                std::span<const std::uint8_t> header) {
  assert(key.size() == crypto_secretstream_xchacha20poly1305_KEYBYTES);
  if (header.size() != stream_header_bytes)
    return make_error(errc::protocol_violation, "secretstream header must be 24 bytes");
  ensure_sodium();
  stream_receiver r;
  r.state_ = secure_bytes(sizeof(stream_state));
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          reinterpret_cast<stream_state*>(r.state_.data()), header.data(), key.data()) != 0)
    return make_error(errc::decrypt_failed, "secretstream header rejected");
  return r;
}

result<stream_receiver::opened> stream_receiver::open(std::span<const std::uint8_t> ciphertext) {
  if (dead_ != errc::ok) return make_error(dead_, "the stream already failed");
  if (finished_) {
    dead_ = errc::protocol_violation;
    return make_error(dead_, "message after the final one");
  }
  if (ciphertext.size() < stream_overhead_bytes) {
    dead_ = errc::decrypt_failed;
    return make_error(dead_, "ciphertext shorter than the secretstream overhead");
  }
  opened out;
  out.plaintext.resize(ciphertext.size() - stream_overhead_bytes);
  unsigned long long written = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(reinterpret_cast<stream_state*>(state_.data()),
                                                 out.plaintext.data(), &written, &tag,
                                                 ciphertext.data(), ciphertext.size(), nullptr,
                                                 0) != 0) {
    sodium_memzero(out.plaintext.data(), out.plaintext.size());
    dead_ = errc::decrypt_failed;
    state_ = secure_bytes();
    return make_error(dead_, "secretstream authentication failed");
  }
  assert(written == out.plaintext.size());
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    out.final = true;
    finished_ = true;
    state_ = secure_bytes();
  } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    // Authentic, but cotab never sends PUSH or REKEY tags.
    sodium_memzero(out.plaintext.data(), out.plaintext.size());
    dead_ = errc::protocol_violation;
    state_ = secure_bytes();
    return make_error(dead_, "unexpected secretstream tag");
  }
  return out;
}

}  // namespace cotab::crypto
