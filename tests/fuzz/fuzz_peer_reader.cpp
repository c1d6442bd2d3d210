// libFuzzer target: host::peer_reader, the receiving end of the encrypted peer stream.
// The reader has a fixed key and epoch. The input is a script of operations; most build frames
// with a genuine stream_sender for the same key, so the fuzzer gets past authentication and
// reaches the record, decompression and JSON layers:
//   byte 0: flags (bit 0: do not send the genuine stream header first)
//   then ops, each an opcode byte (mod 6) and its arguments; lengths are u16 little-endian
//   clipped to what is left:
//     0 raw      len bytes              fed as they are (forged header, garbage, ...)
//     1 header                          the genuine stream-header frame (again)
//     2 message  len bytes              compressed on one long-lived stream in 64-byte pieces,
//                                       sealed as records 0x00.. 0x01, like peer_writer does
//     3 record   flags len bytes        one sealed record with any contents (flags bit 0: final)
//     4 end      len8 bytes             the end record (0x02 | reason, final)
//     5 tamper   index                  flips one ciphertext byte of the next sealed frame
// Properties: every error is protocol-violation, decrypt-failed, decompress-failed,
// message-too-large or json-too-deep; after an error or the end, every frame fails with
// protocol-violation; messages pass check_peer_data; the end reason is <= 64 printable ASCII;
// and while the script is "clean" (genuine header, no tampering, no crafted records), each
// message comes out exactly as put in (or fails with check_peer_data's code) and each end record
// gives its reason (or protocol-violation for a bad one), and every sealed frame of a broken
// shape (wrong tag, unknown record, empty) is a protocol-violation.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

#include "codec/zstd_stream.hpp"
#include "crypto/channel.hpp"
#include "fuzz_support.hpp"
#include "host/peer_stream.hpp"
#include "wire/ext_message.hpp"

namespace {

using cotab::errc;
using cotab::secure_bytes;
using cotab::host::peer_reader;
using event_kind = peer_reader::event::kind;

constexpr std::uint32_t kEpoch = 7;

// libsodium's randomness (the secretstream header) made deterministic and reset for every
// input, so a given input always produces the same frames: stable coverage, reproducible
// crashes. Installed before the first sodium_init.
std::uint64_t rng_state = 0;
std::uint64_t next_random() {
  std::uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}
const char* rng_name() { return "cotab-fuzz-deterministic"; }
std::uint32_t rng_random() { return static_cast<std::uint32_t>(next_random()); }
void rng_buf(void* buf, std::size_t size) {
  auto* p = static_cast<std::uint8_t*>(buf);
  for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::uint8_t>(next_random());
}
randombytes_implementation deterministic_rng = {rng_name, rng_random, nullptr, nullptr, rng_buf, nullptr};

void reset_randomness() {
  static const bool installed = [] { return randombytes_set_implementation(&deterministic_rng) == 0; }();
  FUZZ_CHECK(installed);
  rng_state = 0;
}

secure_bytes fixed_key() {
  std::array<std::uint8_t, 32> k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0x40 + i);
  return secure_bytes(std::span<const std::uint8_t>(k));
}

bool allowed_error(errc c) {
  return c == errc::protocol_violation || c == errc::decrypt_failed || c == errc::decompress_failed ||
         c == errc::message_too_large || c == errc::json_too_deep;
}

bool printable_reason(std::span<const std::uint8_t> r) {
  if (r.size() > cotab::host::kMaxEndReason) return false;
  for (auto c : r) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

class script {
 public:
  explicit script(std::span<const std::uint8_t> in) : in_(in) {}
  bool done() const { return in_.empty(); }
  std::uint8_t byte() {
    if (in_.empty()) return 0;
    std::uint8_t b = in_[0];
    in_ = in_.subspan(1);
    return b;
  }
  std::span<const std::uint8_t> bytes(std::size_t n) {
    n = std::min(n, in_.size());
    auto out = in_.first(n);
    in_ = in_.subspan(n);
    return out;
  }
  std::span<const std::uint8_t> u16_bytes() {
    std::size_t n = byte();
    n |= std::size_t{byte()} << 8;
    return bytes(n);
  }

 private:
  std::span<const std::uint8_t> in_;
};

// Expectation for one frame: nullopt = any allowed outcome; otherwise the exact event or error.
struct expect {
  errc code = errc::ok;  // ok = must succeed
  event_kind what = event_kind::none;
  std::string text;
};
expect fails(errc code) { return expect{code, event_kind::none, {}}; }

class harness {
 public:
  harness() : reader_(fixed_key(), kEpoch), sender_(make_sender()), compressor_(1, 17) {}

  void send_header() { (void)feed(header_frame_, genuine_header_expectation()); }

  void raw(std::span<const std::uint8_t> frame) {
    clean_ = false;
    const bool was_fresh = !has_receiver_ && !dead_ && !ended_;
    const bool genuine = std::equal(frame.begin(), frame.end(), header_frame_.begin(), header_frame_.end());
    const bool r = feed(frame, genuine ? genuine_header_expectation() : std::nullopt);
    if (genuine) {
      // The genuine header typed in by hand: handled like op 1.
    } else if (r && was_fresh) {
      // Only a well-formed header for our epoch can succeed on a fresh reader (a data frame
      // needs the header first); it installs a receiver our sender does not match.
      FUZZ_CHECK(frame.size() == 29 && frame[0] == cotab::host::kStreamHeader);
      has_receiver_ = true;
    } else if (r) {
      FUZZ_CHECK(false);  // any other raw frame would have to forge a Poly1305 tag
    }
  }

  void message(std::span<const std::uint8_t> text) {
    if (sender_done_) return;
    std::vector<std::vector<std::uint8_t>> records;
    compressor_.compress(text, 64, [&](std::span<const std::uint8_t> piece, bool last) {
      std::vector<std::uint8_t> rec{static_cast<std::uint8_t>(last ? 0x01 : 0x00)};
      rec.insert(rec.end(), piece.begin(), piece.end());
      records.push_back(std::move(rec));
    });
    const std::string_view as_text(reinterpret_cast<const char*>(text.data()), text.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      std::optional<expect> e;
      if (predictable()) {
        e = expect{};
        if (i + 1 == records.size()) {
          auto check = cotab::wire::check_peer_data(as_text);
          if (check) {
            e->what = event_kind::message;
            e->text = std::string(as_text);
          } else {
            e->code = check.err().code;
          }
        }
      } else if (sealed_expectation_known()) {
        e = sealed_failure();
      }
      (void)feed(seal(records[i], false), e);
    }
  }

  void record(bool final, std::span<const std::uint8_t> plaintext) {
    if (sender_done_) return;
    std::optional<expect> e;
    if (sealed_expectation_known()) {
      e = sealed_failure();
      if (!e) {
        if (plaintext.empty()) {
          e = fails(errc::protocol_violation);
        } else if (plaintext[0] == 0x02) {
          e = end_expectation(final, plaintext.subspan(1));
        } else if (final || plaintext[0] > 0x01) {
          e = fails(errc::protocol_violation);
        }
      }
    }
    if (!plaintext.empty() && plaintext[0] != 0x02) clean_ = false;  // unknown compressed bytes
    (void)feed(seal(plaintext, final), e);
    if (final) sender_done_ = true;
  }

  void end(std::span<const std::uint8_t> reason) {
    if (sender_done_) return;
    std::vector<std::uint8_t> rec{0x02};
    rec.insert(rec.end(), reason.begin(), reason.end());
    std::optional<expect> e;
    if (sealed_expectation_known()) {
      e = sealed_failure();
      if (!e) e = end_expectation(true, reason);
    }
    (void)feed(seal(rec, true), e);
    sender_done_ = true;
  }

  void tamper(std::uint8_t index) {
    tamper_ = index;
    clean_ = false;
  }

 private:
  static cotab::crypto::stream_sender make_sender_into(std::vector<std::uint8_t>& header_frame) {
    std::array<std::uint8_t, 24> header{};
    auto s = cotab::crypto::stream_sender::create(fixed_key(), header);
    header_frame = {cotab::host::kStreamHeader, 0, 0, 0, static_cast<std::uint8_t>(kEpoch)};
    header_frame.insert(header_frame.end(), header.begin(), header.end());
    return s;
  }
  cotab::crypto::stream_sender make_sender() { return make_sender_into(header_frame_); }

  std::optional<expect> genuine_header_expectation() {
    if (dead_ || ended_) return std::nullopt;  // checked in feed()
    if (has_receiver_) return fails(errc::protocol_violation);
    return expect{};
  }

  // Whether the outcome of a frame sealed by our sender can be predicted at all.
  bool sealed_expectation_known() const { return !dead_ && !ended_; }
  bool predictable() const { return sealed_expectation_known() && clean_ && receiver_mine_ && !tamper_; }

  // The failure every sealed frame meets regardless of its contents, if any.
  std::optional<expect> sealed_failure() const {
    if (!has_receiver_) return fails(errc::protocol_violation);  // data before the header
    if (!receiver_mine_ || tamper_ || lost_frame_) return fails(errc::decrypt_failed);
    return std::nullopt;
  }

  static expect end_expectation(bool final, std::span<const std::uint8_t> reason) {
    if (!final || !printable_reason(reason)) return fails(errc::protocol_violation);
    return expect{errc::ok, event_kind::end, std::string(reason.begin(), reason.end())};
  }

  std::vector<std::uint8_t> seal(std::span<const std::uint8_t> plaintext, bool final) {
    auto ct = sender_.seal(plaintext, final);
    ct.insert(ct.begin(), cotab::host::kStreamData);
    if (tamper_) {
      ct[1 + *tamper_ % (ct.size() - 1)] ^= 0x01;  // in the ciphertext (the kind byte stays)
      tamper_.reset();
    }
    return ct;
  }

  // Feeds one frame, checks the outcome; returns whether the reader accepted it.
  bool feed(std::span<const std::uint8_t> frame, std::optional<expect> e) {
    const bool was_dead = dead_, was_ended = ended_;
    const bool is_genuine_header = std::equal(frame.begin(), frame.end(), header_frame_.begin(), header_frame_.end());
    auto r = reader_.on_frame(frame);
    if (was_dead || was_ended) {
      FUZZ_CHECK(!r && r.err().code == errc::protocol_violation);
      dead_ = true;
      return false;
    }
    if (!r) {
      FUZZ_CHECK(allowed_error(r.err().code));
      dead_ = true;
    } else {
      const auto& ev = *r;
      if (ev.what == event_kind::message) FUZZ_CHECK(cotab::wire::check_peer_data(ev.text).has_value());
      if (ev.what == event_kind::end) {
        FUZZ_CHECK(printable_reason({reinterpret_cast<const std::uint8_t*>(ev.text.data()), ev.text.size()}));
        ended_ = true;
      }
      if (is_genuine_header) {
        has_receiver_ = true;
        receiver_mine_ = true;
      }
    }
    if (e) {
      if (e->code == errc::ok) {
        FUZZ_CHECK(r.has_value());
        FUZZ_CHECK(r->what == e->what);
        FUZZ_CHECK(r->text == e->text);
      } else {
        FUZZ_CHECK(!r && r.err().code == e->code);
      }
    }
    // A sealed frame the reader did not authenticate leaves our sender one frame ahead.
    if (!r && frame.size() > 0 && frame[0] == cotab::host::kStreamData) lost_frame_ = true;
    return r.has_value();
  }

  peer_reader reader_;
  std::vector<std::uint8_t> header_frame_;
  cotab::crypto::stream_sender sender_;
  cotab::codec::compressor compressor_;
  std::optional<std::uint8_t> tamper_;
  bool sender_done_ = false;
  bool has_receiver_ = false;   // the reader accepted some header
  bool receiver_mine_ = false;  // ... and it was ours
  bool lost_frame_ = false;
  bool clean_ = true;           // no crafted data records: the decompressor's history is ours
  bool dead_ = false;
  bool ended_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reset_randomness();
  script s({data, size});
  harness h;
  const std::uint8_t flags = s.byte();
  if ((flags & 1) == 0) h.send_header();
  while (!s.done()) {
    switch (s.byte() % 6) {
      case 0: h.raw(s.u16_bytes()); break;
      case 1: h.send_header(); break;
      case 2: h.message(s.u16_bytes()); break;
      case 3: {
        const bool final = (s.byte() & 1) != 0;
        h.record(final, s.u16_bytes());
        break;
      }
      case 4: h.end(s.bytes(s.byte())); break;
      case 5: h.tamper(s.byte()); break;
    }
  }
  return 0;
}
