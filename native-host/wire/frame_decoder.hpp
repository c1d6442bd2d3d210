#pragma once
// Chrome native messaging framing: a 4-byte length in native byte order, then that many bytes of
// UTF-8 JSON. The decoder is a pure incremental state machine: feed it bytes split anywhere and
// it yields whole frames. A length above the cap is reported once and its body skipped, so the
// stream stays in sync and nothing after it is lost.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cotab/protocol/generated.hpp"

namespace cotab::wire {

struct frame_event {
  enum class kind { frame, oversize };
  kind what = kind::frame;
  std::string payload;            // the frame's bytes (kind::frame)
  std::uint32_t declared_size = 0;  // the length prefix (both kinds)
};

class frame_decoder {
 public:
  explicit frame_decoder(std::size_t max_frame_bytes = protocol::limits::max_inbound_frame_bytes)
      : max_frame_bytes_(max_frame_bytes) {}

  // Consumes all of `bytes`; appends every completed event to `out`.
  void feed(std::span<const std::uint8_t> bytes, std::vector<frame_event>& out);
  void feed(std::string_view bytes, std::vector<frame_event>& out) {
    feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), out);
  }

  // True when the input so far ends inside a frame (at EOF this is frame-truncated).
  bool mid_frame() const noexcept { return state_ != state::length || length_have_ > 0; }

 private:
  enum class state { length, body, skip };
  std::size_t max_frame_bytes_;
  state state_ = state::length;
  std::uint8_t length_bytes_[4] = {};
  std::size_t length_have_ = 0;
  std::uint32_t declared_ = 0;
  std::size_t remaining_ = 0;
  std::string body_;
};

// One frame: the 4-byte native-endian length followed by `payload`.
std::string encode_frame(std::string_view payload);

}  // namespace cotab::wire
