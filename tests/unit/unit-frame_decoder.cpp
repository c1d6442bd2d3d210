// Native-messaging framing: the shared vectors under every split, plus the limits.
#include <doctest/doctest.h>

#include <random>

#include "test_support.hpp"
#include "wire/frame_decoder.hpp"

using namespace cotab;
using wire::frame_event;

namespace {

std::vector<frame_event> decode_split(const std::vector<std::uint8_t>& input, std::size_t cap,
                                      const std::vector<std::size_t>& cuts, bool* truncated) {
  wire::frame_decoder decoder(cap);
  std::vector<frame_event> events;
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    decoder.feed(std::span(input.data() + pos, cut - pos), events);
    pos = cut;
  }
  decoder.feed(std::span(input.data() + pos, input.size() - pos), events);
  *truncated = decoder.mid_frame();
  return events;
}

}  // namespace

TEST_CASE("frame_decoder: shared vectors give the same events for every split") {
  auto vectors = testing::protocol_json("vectors/framing.json");
  std::mt19937 rng(1234);
  for (const auto& c : vectors["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    auto input = testing::from_hex(c["input_hex"].get<std::string>());
    auto cap = c["max_frame_bytes"].get<std::size_t>();
    // Whole, byte by byte, and 50 random splits.
    std::vector<std::vector<std::size_t>> splits = {{}};
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
    splits.push_back(every);
    for (int r = 0; r < 50 && input.size() > 1; ++r) {
      std::vector<std::size_t> cuts;
      for (std::size_t i = 1; i < input.size(); ++i) {
        if (rng() % 3 == 0) cuts.push_back(i);
      }
      splits.push_back(cuts);
    }
    for (const auto& cuts : splits) {
      bool truncated = false;
      auto events = decode_split(input, cap, cuts, &truncated);
      REQUIRE(events.size() == c["events"].size());
      for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& want = c["events"][i];
        if (want.contains("frame")) {
          CHECK(events[i].what == frame_event::kind::frame);
          CHECK(events[i].payload == want["frame"].get<std::string>());
        } else {
          CHECK(events[i].what == frame_event::kind::oversize);
          CHECK(events[i].declared_size == want["oversize"].get<std::uint32_t>());
        }
      }
      CHECK(truncated == c["truncated"].get<bool>());
    }
  }
}

TEST_CASE("frame_decoder: rejects a length above the default cap (max_inbound_frame_bytes) without allocating it") {
  wire::frame_decoder decoder;  // default cap
  std::vector<frame_event> events;
  std::uint32_t too_big = static_cast<std::uint32_t>(protocol::limits::max_inbound_frame_bytes) + 1;
  std::string prefix(4, '\0');
  std::memcpy(prefix.data(), &too_big, 4);
  decoder.feed(prefix, events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].what == frame_event::kind::oversize);
  CHECK(decoder.mid_frame());
  // The skipped body is consumed in pieces; the next frame decodes normally.
  std::string piece(1 << 20, 'x');
  for (std::uint32_t left = too_big; left > 0;) {
    std::size_t n = std::min<std::size_t>(left, piece.size());
    decoder.feed(std::string_view(piece.data(), n), events);
    left -= static_cast<std::uint32_t>(n);
  }
  decoder.feed(wire::encode_frame("{}"), events);
  REQUIRE(events.size() == 2);
  CHECK(events[1].payload == "{}");
  CHECK_FALSE(decoder.mid_frame());
}

TEST_CASE("frame_decoder: a frame of exactly max_inbound_frame_bytes is accepted") {
  wire::frame_decoder decoder;
  std::vector<frame_event> events;
  std::string body(protocol::limits::max_inbound_frame_bytes, 'a');
  decoder.feed(wire::encode_frame(body), events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].what == frame_event::kind::frame);
  CHECK(events[0].payload.size() == body.size());
}

TEST_CASE("encode_frame: native-endian length then payload") {
  auto f = wire::encode_frame("abc");
  REQUIRE(f.size() == 7);
  std::uint32_t n = 0;
  std::memcpy(&n, f.data(), 4);
  CHECK(n == 3);
  CHECK(f.substr(4) == "abc");
}
