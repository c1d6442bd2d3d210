#include "codec/zstd_stream.hpp"

#include <zstd.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace cotab::codec {
namespace {

[[noreturn]] void out_of_memory() {
  std::fputs("cotab: zstd context allocation failed\n", stderr);
  std::abort();
}

}  // namespace

compressor::compressor(int level, int window_log) : ctx_(ZSTD_createCCtx()) {
  if (ctx_ == nullptr) out_of_memory();
  ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(ctx_, ZSTD_c_windowLog, window_log);
  ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 0);  // secretstream authenticates already
}

compressor::~compressor() { ZSTD_freeCCtx(ctx_); }
compressor::compressor(compressor&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
compressor& compressor::operator=(compressor&& o) noexcept {
  std::swap(ctx_, o.ctx_);
  return *this;
}

void compressor::compress(std::span<const std::uint8_t> message, std::size_t piece_bytes,
                          const std::function<void(std::span<const std::uint8_t>, bool)>& sink) {
  assert(ctx_ != nullptr && piece_bytes >= 64);
  std::vector<std::uint8_t> piece(piece_bytes);
  ZSTD_inBuffer in{message.data(), message.size(), 0};
  ZSTD_outBuffer out{piece.data(), piece.size(), 0};
  for (;;) {
    std::size_t remaining = ZSTD_compressStream2(ctx_, &out, &in, ZSTD_e_flush);
    if (ZSTD_isError(remaining)) {  // only on misuse or allocation failure
      std::fprintf(stderr, "cotab: zstd compression failed: %s\n", ZSTD_getErrorName(remaining));
      std::abort();
    }
    bool done = remaining == 0 && in.pos == in.size;
    if (done) {
      sink({piece.data(), out.pos}, true);
      return;
    }
    if (out.pos == out.size) {
      sink({piece.data(), out.pos}, false);
      out.pos = 0;
    }
  }
}

decompressor::decompressor(std::size_t max_message_bytes, int window_log_max)
    : ctx_(ZSTD_createDCtx()), max_message_bytes_(max_message_bytes) {
  if (ctx_ == nullptr) out_of_memory();
  ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, window_log_max);
}

decompressor::~decompressor() { ZSTD_freeDCtx(ctx_); }
decompressor::decompressor(decompressor&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)), max_message_bytes_(o.max_message_bytes_), failed_(o.failed_) {}
decompressor& decompressor::operator=(decompressor&& o) noexcept {
  std::swap(ctx_, o.ctx_);
  max_message_bytes_ = o.max_message_bytes_;
  failed_ = o.failed_;
  return *this;
}

result<void> decompressor::feed(std::span<const std::uint8_t> compressed, std::string& out) {
  if (failed_) return make_error(errc::decompress_failed, "compression stream already failed");
  static constexpr std::uint8_t kMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};  // ZSTD_MAGICNUMBER, little-endian
  for (std::size_t i = 0; magic_seen_ < 4 && i < compressed.size(); ++i, ++magic_seen_) {
    if (compressed[i] != kMagic[magic_seen_]) {
      failed_ = true;
      return make_error(errc::decompress_failed, "not a zstd1 frame");
    }
  }
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  const std::size_t step = ZSTD_DStreamOutSize();
  for (;;) {
    std::size_t before = out.size();
    // Never let the output grow beyond the cap, not even transiently.
    std::size_t room = max_message_bytes_ - std::min(max_message_bytes_, before);
    std::size_t grow = std::min(step, room + 1);  // +1: detect "one byte too many"
    out.resize(before + grow);
    ZSTD_outBuffer o{out.data() + before, grow, 0};
    std::size_t r = ZSTD_decompressStream(ctx_, &o, &in);
    out.resize(before + o.pos);
    if (ZSTD_isError(r)) {
      failed_ = true;
      return make_error(errc::decompress_failed, ZSTD_getErrorName(r));
    }
    if (r == 0) {  // a complete frame: our sender never ends its frame, so the next would be unchecked
      failed_ = true;
      return make_error(errc::decompress_failed, "the zstd frame ended");
    }
    if (out.size() > max_message_bytes_) {
      failed_ = true;
      return make_error(errc::message_too_large, "message decompresses beyond max_message_bytes");
    }
    // All input consumed and the output buffer not filled: everything flushed has been decoded.
    if (in.pos == in.size && o.pos < o.size) return {};
  }
}

}  // namespace cotab::codec
