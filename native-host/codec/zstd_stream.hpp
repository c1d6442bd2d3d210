#pragma once
// One long-lived zstd stream per direction: each message is compressed against everything sent
// before it (DOM mutations repeat a lot) and flushed at its end, so the receiver can decode it
// at once. The receiver enforces a window limit (memory) and a hard cap on a message's
// decompressed size (decompression bombs).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace cotab::codec {

class compressor {
 public:
  explicit compressor(int level = static_cast<int>(protocol::limits::zstd_level), int window_log = static_cast<int>(protocol::limits::zstd_window_log));
  ~compressor();
  compressor(compressor&&) noexcept;
  compressor& operator=(compressor&&) noexcept;
  compressor(const compressor&) = delete;
  compressor& operator=(const compressor&) = delete;

  // Compresses one message and flushes. Compressed output is handed to `sink` in pieces of at
  // most `piece_bytes` (the last piece may be shorter; an empty message still yields one piece).
  void compress(std::span<const std::uint8_t> message, std::size_t piece_bytes,
                const std::function<void(std::span<const std::uint8_t> piece, bool last)>& sink);

 private:
  ZSTD_CCtx_s* ctx_ = nullptr;
};

class decompressor {
 public:
  explicit decompressor(std::size_t max_message_bytes = protocol::limits::max_message_bytes,
                        int window_log_max = static_cast<int>(protocol::limits::zstd_window_log));
  ~decompressor();
  decompressor(decompressor&&) noexcept;
  decompressor& operator=(decompressor&&) noexcept;
  decompressor(const decompressor&) = delete;
  decompressor& operator=(const decompressor&) = delete;

  // Feeds compressed bytes of the current message (a message may arrive in several pieces) and
  // appends what they decode to into `out`. Errors: decompress-failed (corrupt stream, window
  // too large, not the current zstd frame format, or the frame ends — our sender's frame never
  // does), message-too-large (out would exceed max_message_bytes). After an error the stream is
  // unusable: the session must end.
  result<void> feed(std::span<const std::uint8_t> compressed, std::string& out);

 private:
  ZSTD_DCtx_s* ctx_ = nullptr;
  std::size_t max_message_bytes_;
  bool failed_ = false;
  // The stream must open with the zstd1 magic: libzstd would otherwise also decode its legacy
  // formats, which ignore the window limit (memory). Up to 4 bytes are held until it is known.
  std::size_t magic_seen_ = 0;
};

}  // namespace cotab::codec
