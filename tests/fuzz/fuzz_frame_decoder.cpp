// libFuzzer target: wire::frame_decoder (Chrome native-messaging framing) under arbitrary splits.
// Input layout: byte 0 picks the frame cap (0..254 bytes; 255 = the protocol's default cap),
// bytes 1-2 seed the split sizes, the rest is the byte stream from "Chrome".
// Properties:
//   - the same events (kind, payload, declared size) and the same mid_frame() at the end for the
//     whole stream, one byte at a time, and pieces of pseudo-random sizes (empty feeds included);
//   - each event matches the stream: frames have declared <= cap and payload == the next
//     declared bytes, oversize events have declared > cap and skip exactly that many bytes;
//     with no oversize event, re-encoding every frame with encode_frame reproduces the consumed
//     input byte for byte;
//   - no complete frame is left unreported, and mid_frame() is true exactly when bytes remain.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "wire/frame_decoder.hpp"

namespace {

using cotab::wire::frame_decoder;
using cotab::wire::frame_event;

struct outcome {
  std::vector<frame_event> events;
  bool mid_frame = false;
};

bool same(const outcome& a, const outcome& b) {
  if (a.mid_frame != b.mid_frame || a.events.size() != b.events.size()) return false;
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    const auto& x = a.events[i];
    const auto& y = b.events[i];
    if (x.what != y.what || x.payload != y.payload || x.declared_size != y.declared_size) return false;
  }
  return true;
}

frame_decoder make_decoder(std::uint8_t cap_byte) {
  return cap_byte == 255 ? frame_decoder() : frame_decoder(cap_byte);
}

std::uint32_t length_at(std::string_view s, std::size_t pos) {
  std::uint32_t v = 0;
  std::memcpy(&v, s.data() + pos, 4);  // native byte order, like Chrome
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t cap_byte = data[0];
  const std::size_t cap = cap_byte == 255 ? cotab::protocol::limits::max_inbound_frame_bytes : cap_byte;
  std::uint32_t seed = (std::uint32_t{data[1]} | (std::uint32_t{data[2]} << 8)) * 2654435761u + 1;
  const std::span<const std::uint8_t> stream(data + 3, size - 3);
  const std::string_view text(reinterpret_cast<const char*>(stream.data()), stream.size());

  // 1. Whole (through the string_view overload).
  outcome whole;
  {
    auto d = make_decoder(cap_byte);
    d.feed(text, whole.events);
    whole.mid_frame = d.mid_frame();
  }
  // 2. One byte at a time.
  outcome bytewise;
  {
    auto d = make_decoder(cap_byte);
    for (std::size_t i = 0; i < stream.size(); ++i) d.feed(stream.subspan(i, 1), bytewise.events);
    bytewise.mid_frame = d.mid_frame();
  }
  // 3. Pseudo-random pieces of 0..(2 * max_piece) bytes, empty feeds included.
  outcome pieces;
  {
    auto d = make_decoder(cap_byte);
    const std::uint32_t max_piece = (seed >> 24) % 16 + 1;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      std::size_t n = seed % (2 * max_piece + 1);
      if (n > stream.size() - pos) n = stream.size() - pos;
      d.feed(stream.subspan(pos, n), pieces.events);
      pos += n;
    }
    d.feed(std::span<const std::uint8_t>(), pieces.events);
    pieces.mid_frame = d.mid_frame();
  }
  FUZZ_CHECK(same(whole, bytewise));
  FUZZ_CHECK(same(whole, pieces));

  // The events against the stream itself.
  std::size_t pos = 0;
  std::string reencoded;
  bool any_oversize = false;
  bool truncated_skip = false;
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    const auto& e = whole.events[i];
    FUZZ_CHECK(pos + 4 <= text.size());
    const std::uint32_t declared = length_at(text, pos);
    FUZZ_CHECK(e.declared_size == declared);
    if (e.what == frame_event::kind::frame) {
      FUZZ_CHECK(declared <= cap);
      FUZZ_CHECK(e.payload.size() == declared);
      FUZZ_CHECK(pos + 4 + declared <= text.size());
      const std::string frame = cotab::wire::encode_frame(e.payload);
      FUZZ_CHECK(frame == text.substr(pos, 4 + declared));
      reencoded += frame;
      pos += 4 + declared;
    } else {
      FUZZ_CHECK(declared > cap);
      FUZZ_CHECK(e.payload.empty());
      any_oversize = true;
      if (text.size() - pos - 4 < declared) {  // the body is still being skipped at the end
        FUZZ_CHECK(i + 1 == whole.events.size());
        truncated_skip = true;
        pos = text.size();
      } else {
        pos += 4 + std::size_t{declared};
      }
    }
  }
  if (!any_oversize) FUZZ_CHECK(reencoded == text.substr(0, pos));
  // What is left is a strict prefix of one frame that fits the cap (an oversize length would
  // have been reported at once).
  const std::size_t tail = text.size() - pos;
  if (tail >= 4) {
    const std::uint32_t declared = length_at(text, pos);
    FUZZ_CHECK(declared <= cap);
    FUZZ_CHECK(tail < 4 + std::size_t{declared});
  }
  FUZZ_CHECK(whole.mid_frame == (tail > 0 || truncated_skip));
  return 0;
}
