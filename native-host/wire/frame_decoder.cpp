#include "wire/frame_decoder.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace cotab::wire {

void frame_decoder::feed(std::span<const std::uint8_t> bytes, std::vector<frame_event>& out) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    switch (state_) {
      case state::length: {
        std::size_t take = std::min<std::size_t>(4 - length_have_, bytes.size() - pos);
        std::memcpy(length_bytes_ + length_have_, bytes.data() + pos, take);
        length_have_ += take;
        pos += take;
        if (length_have_ < 4) break;
        length_have_ = 0;
        std::memcpy(&declared_, length_bytes_, 4);  // native byte order, as Chrome writes it
        if (declared_ > max_frame_bytes_) {
          out.push_back({frame_event::kind::oversize, {}, declared_});
          remaining_ = declared_;
          state_ = state::skip;
        } else if (declared_ == 0) {
          out.push_back({frame_event::kind::frame, {}, 0});
        } else {
          remaining_ = declared_;
          body_.clear();
          body_.reserve(declared_);  // bounded by max_frame_bytes_
          state_ = state::body;
        }
        break;
      }
      case state::body: {
        std::size_t take = std::min(remaining_, bytes.size() - pos);
        body_.append(reinterpret_cast<const char*>(bytes.data() + pos), take);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          out.push_back({frame_event::kind::frame, std::move(body_), declared_});
          body_ = std::string();
          state_ = state::length;
        }
        break;
      }
      case state::skip: {
        std::size_t take = std::min(remaining_, bytes.size() - pos);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = state::length;
        break;
      }
    }
  }
}

std::string encode_frame(std::string_view payload) {
  assert(payload.size() <= 0xffffffffu);
  std::uint32_t length = static_cast<std::uint32_t>(payload.size());
  std::string out(4 + payload.size(), '\0');
  std::memcpy(out.data(), &length, 4);
  std::memcpy(out.data() + 4, payload.data(), payload.size());
  return out;
}

}  // namespace cotab::wire
