// The secretstream channel (native-host/crypto/channel.hpp).
#include <doctest/doctest.h>

#include <sodium.h>

#include <string>

#include "crypto/channel.hpp"
#include "crypto/handshake.hpp"

using namespace cotab;
using namespace cotab::crypto;
using bytes = std::vector<std::uint8_t>;

namespace {

secure_bytes random_key() {
  secure_bytes k(32);
  randombytes_buf(k.data(), k.size());
  return k;
}

bytes text(std::string_view s) { return bytes(s.begin(), s.end()); }

struct channel {
  stream_sender sender;
  stream_receiver receiver;
};

channel make_channel(const secure_bytes& key) {
  std::array<std::uint8_t, 24> header{};
  auto s = stream_sender::create(key, header);
  auto r = stream_receiver::create(key, header);
  REQUIRE(r);
  return channel{std::move(s), std::move(r).value()};
}

errc error_of(const result<stream_receiver::opened>& r) {
  REQUIRE_FALSE(r);
  return r.err().code;
}

}  // namespace

TEST_CASE("channel: messages round-trip in order, including empty and large ones") {
  auto key = random_key();
  auto ch = make_channel(key);
  std::vector<bytes> messages = {text("hello"), {}, bytes(300000, 0x5a), text("last but one")};
  for (const auto& m : messages) {
    auto sealed = ch.sender.seal(m, false);
    CHECK(sealed.size() == m.size() + stream_overhead_bytes);
    auto opened = ch.receiver.open(sealed);
    REQUIRE(opened);
    CHECK(opened->plaintext == m);
    CHECK_FALSE(opened->final);
  }
  auto fin = ch.receiver.open(ch.sender.seal(text("bye"), true));
  REQUIRE(fin);
  CHECK(fin->plaintext == text("bye"));
  CHECK(fin->final);  // the end of the stream is reported, so truncation can be told apart
  CHECK(ch.receiver.finished());
  CHECK(ch.sender.finished());
}

TEST_CASE("channel: the same plaintext never gives the same ciphertext") {
  auto key = random_key();
  auto ch = make_channel(key);
  CHECK(ch.sender.seal(text("same"), false) != ch.sender.seal(text("same"), false));
}

// threat: the relay alters a ciphertext byte.
TEST_CASE("channel: a tampered ciphertext is decrypt-failed and kills the stream") {
  auto key = random_key();
  for (std::size_t pos : {0u, 1u, 10u, 20u}) {
    auto ch = make_channel(key);
    auto sealed = ch.sender.seal(text("attack at dawn"), false);
    REQUIRE(pos < sealed.size());
    sealed[pos] ^= 0x01;
    CAPTURE(pos);
    CHECK(error_of(ch.receiver.open(sealed)) == errc::decrypt_failed);
    // Even the genuine next message is refused afterwards: no probing.
    CHECK(error_of(ch.receiver.open(ch.sender.seal(text("x"), false))) == errc::decrypt_failed);
  }
}

// threat: the relay drops a frame.
TEST_CASE("channel: a dropped message makes the next one decrypt-failed") {
  auto key = random_key();
  auto ch = make_channel(key);
  auto m1 = ch.sender.seal(text("one"), false);
  auto m2 = ch.sender.seal(text("two"), false);
  auto m3 = ch.sender.seal(text("three"), false);
  REQUIRE(ch.receiver.open(m1));
  (void)m2;
  CHECK(error_of(ch.receiver.open(m3)) == errc::decrypt_failed);
}

// threat: the relay reorders frames.
TEST_CASE("channel: reordered messages are decrypt-failed") {
  auto key = random_key();
  auto ch = make_channel(key);
  auto m1 = ch.sender.seal(text("one"), false);
  auto m2 = ch.sender.seal(text("two"), false);
  CHECK(error_of(ch.receiver.open(m2)) == errc::decrypt_failed);
  (void)m1;
}

// threat: the relay replays a frame.
TEST_CASE("channel: a replayed message is decrypt-failed") {
  auto key = random_key();
  auto ch = make_channel(key);
  auto m1 = ch.sender.seal(text("pay 10"), false);
  REQUIRE(ch.receiver.open(m1));
  CHECK(error_of(ch.receiver.open(m1)) == errc::decrypt_failed);
}

// threat: the relay truncates a frame or sends a runt.
TEST_CASE("channel: truncated and too-short ciphertexts are decrypt-failed") {
  auto key = random_key();
  {
    auto ch = make_channel(key);
    auto sealed = ch.sender.seal(text("hello world"), false);
    sealed.pop_back();
    CHECK(error_of(ch.receiver.open(sealed)) == errc::decrypt_failed);
  }
  for (std::size_t n : {0u, 1u, 16u}) {
    auto ch = make_channel(key);
    CAPTURE(n);
    CHECK(error_of(ch.receiver.open(bytes(n, 0))) == errc::decrypt_failed);
  }
  {
    // Exactly the overhead: an empty message, genuine, opens.
    auto ch = make_channel(key);
    auto sealed = ch.sender.seal({}, false);
    CHECK(sealed.size() == stream_overhead_bytes);
    auto opened = ch.receiver.open(sealed);
    REQUIRE(opened);
    CHECK(opened->plaintext.empty());
  }
}

// threat: the relay (or a confused peer) sends data after the stream's end.
TEST_CASE("channel: anything after the final message is a protocol violation") {
  auto key = random_key();
  std::array<std::uint8_t, 24> header{};
  auto s = stream_sender::create(key, header);
  auto r = stream_receiver::create(key, header);
  REQUIRE(r);
  auto fin = s.seal(text("end"), true);
  auto opened = r->open(fin);
  REQUIRE(opened);
  CHECK(opened->final);
  CHECK(error_of(r->open(fin)) == errc::protocol_violation);
  CHECK(error_of(r->open(bytes(40, 1))) == errc::protocol_violation);
}

// threat: frames from another epoch or another session (wrong key) are spliced in.
TEST_CASE("channel: a stream keyed for another epoch or direction is decrypt-failed") {
  std::vector<std::uint8_t> sid(16, 7);
  secure_bytes pw(cpace::as_bytes("4821-937204"));
  handshake a(role::initiator, pw, sid);
  handshake b(role::responder, pw, sid);
  auto rb = b.on_frame(a.start());
  REQUIRE(rb);
  auto rc = a.on_frame(*rb);
  REQUIRE(rc);
  REQUIRE(b.on_frame(*rc));
  REQUIRE(b.confirmed());

  std::array<std::uint8_t, 24> header{};
  auto sender = stream_sender::create(a.stream_key(1, true), header);
  auto msg = sender.seal(text("epoch one"), false);

  auto right = stream_receiver::create(b.stream_key(1, false), header);
  REQUIRE(right);
  auto ok = right->open(msg);
  REQUIRE(ok);
  CHECK(ok->plaintext == text("epoch one"));

  auto old_epoch = stream_receiver::create(b.stream_key(0, false), header);
  REQUIRE(old_epoch);
  CHECK(error_of(old_epoch->open(msg)) == errc::decrypt_failed);

  auto wrong_direction = stream_receiver::create(b.stream_key(1, true), header);
  REQUIRE(wrong_direction);
  CHECK(error_of(wrong_direction->open(msg)) == errc::decrypt_failed);
}

// threat: the relay swaps the stream header.
TEST_CASE("channel: a wrong header is decrypt-failed, a header of the wrong size a protocol violation") {
  auto key = random_key();
  std::array<std::uint8_t, 24> header{};
  auto s = stream_sender::create(key, header);
  auto msg = s.seal(text("hi"), false);
  auto other = header;
  other[0] ^= 1;
  auto r = stream_receiver::create(key, other);
  REQUIRE(r);
  CHECK(error_of(r->open(msg)) == errc::decrypt_failed);

  auto short_header = stream_receiver::create(key, std::span(header).first(23));
  REQUIRE_FALSE(short_header);
  CHECK(short_header.err().code == errc::protocol_violation);
  bytes long_header(header.begin(), header.end());
  long_header.push_back(0);
  auto long_r = stream_receiver::create(key, long_header);
  REQUIRE_FALSE(long_r);
  CHECK(long_r.err().code == errc::protocol_violation);
}

// threat: an authentic message with a tag cotab never uses (PUSH, REKEY) — only a key holder can
// make one, but the receiver still refuses what the protocol does not define.
TEST_CASE("channel: secretstream tags other than MESSAGE and FINAL are a protocol violation") {
  auto key = random_key();
  for (unsigned char tag : {crypto_secretstream_xchacha20poly1305_TAG_PUSH,
                            crypto_secretstream_xchacha20poly1305_TAG_REKEY}) {
    std::array<std::uint8_t, 24> header{};
    crypto_secretstream_xchacha20poly1305_state st;
    crypto_secretstream_xchacha20poly1305_init_push(&st, header.data(), key.data());
    bytes ct(3 + stream_overhead_bytes);
    crypto_secretstream_xchacha20poly1305_push(&st, ct.data(), nullptr,
                                               reinterpret_cast<const unsigned char*>("abc"), 3,
                                               nullptr, 0, tag);
    auto r = stream_receiver::create(key, header);
    REQUIRE(r);
    CAPTURE(static_cast<int>(tag));
    CHECK(error_of(r->open(ct)) == errc::protocol_violation);
  }
}
