// zstd streams: history across messages, flush per message, and the decompression caps.
#include <doctest/doctest.h>

#include <zstd.h>

#include "codec/zstd_stream.hpp"

using namespace cotab;

namespace {

std::vector<std::uint8_t> compress_one(codec::compressor& c, std::string_view text, std::size_t piece = 1 << 16) {
  std::vector<std::uint8_t> out;
  c.compress(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), piece,
             [&](std::span<const std::uint8_t> p, bool) { out.insert(out.end(), p.begin(), p.end()); });
  return out;
}

}  // namespace

TEST_CASE("codec: each message decodes completely as soon as its bytes arrive") {
  codec::compressor c;
  codec::decompressor d;
  for (int i = 0; i < 20; ++i) {
    std::string msg = R"({"op":"set","node":)" + std::to_string(i) + R"(,"text":"hello world"})";
    auto bytes = compress_one(c, msg);
    std::string out;
    REQUIRE(d.feed(bytes, out));
    CHECK(out == msg);
  }
}

TEST_CASE("codec: later messages compress against earlier ones (one long-lived stream)") {
  codec::compressor c;
  std::string msg(4000, 0);
  std::uint32_t x = 99;
  for (auto& ch : msg) ch = static_cast<char>('a' + ((x = x * 1103515245 + 12345) >> 16) % 26);
  auto first = compress_one(c, msg);
  auto second = compress_one(c, msg);
  CHECK(second.size() * 10 < first.size());
}

TEST_CASE("codec: pieces are at most the piece size and flagged last once") {
  codec::compressor c;
  std::string random_text(300000, 0);
  std::uint32_t x = 1;
  for (auto& ch : random_text) ch = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  std::size_t pieces = 0, lasts = 0;
  c.compress(std::span(reinterpret_cast<const std::uint8_t*>(random_text.data()), random_text.size()), 4096,
             [&](std::span<const std::uint8_t> p, bool last) {
               CHECK(p.size() <= 4096);
               ++pieces;
               lasts += last ? 1 : 0;
             });
  CHECK(pieces > 10);
  CHECK(lasts == 1);
}

TEST_CASE("codec: a bomb beyond max_message_bytes stops at the cap with message-too-large") {
  // threat: a hostile peer sends a tiny frame that decompresses to gigabytes
  const std::size_t cap = 1 << 20;
  codec::compressor c;
  auto bomb = compress_one(c, std::string(cap + 1, 'z'));
  CHECK(bomb.size() < 1000);
  codec::decompressor d(cap);
  std::string out;
  auto r = d.feed(bomb, out);
  REQUIRE_FALSE(r);
  CHECK(r.err().code == errc::message_too_large);
  CHECK(out.size() <= cap + 1);
  CHECK(d.feed(bomb, out).err().code == errc::decompress_failed);  // the stream is dead afterwards
}

TEST_CASE("codec: exactly max_message_bytes decompresses") {
  const std::size_t cap = 1 << 20;
  codec::compressor c;
  auto bytes = compress_one(c, std::string(cap, 'z'));
  codec::decompressor d(cap);
  std::string out;
  REQUIRE(d.feed(bytes, out));
  CHECK(out.size() == cap);
}

TEST_CASE("codec: a window larger than zstd_window_log is refused (memory cap)") {
  // threat: a peer forces the receiver to allocate a huge window
  std::vector<std::uint8_t> big_window(ZSTD_compressBound(1 << 20));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 27);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string input(1 << 20, 'q');
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  ZSTD_outBuffer out{big_window.data(), big_window.size(), 0};
  ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_flush);
  ZSTD_freeCCtx(cctx);
  codec::decompressor d;
  std::string decoded;
  auto r = d.feed(std::span(big_window.data(), out.pos), decoded);
  REQUIRE_FALSE(r);
  CHECK(r.err().code == errc::decompress_failed);
}

TEST_CASE("codec: garbage is decompress-failed") {
  codec::decompressor d;
  std::string out;
  std::uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(d.feed(junk, out).err().code == errc::decompress_failed);
}

TEST_CASE("codec: legacy zstd formats are refused (they would bypass the window limit)") {
  // threat: a peer sends a v0.7 frame header claiming a 128 MiB window
  const std::uint8_t legacy[] = {0x27, 0xb5, 0x2f, 0xfd, 0x00, 0x88};
  codec::decompressor d;
  std::string out;
  CHECK(d.feed(legacy, out).err().code == errc::decompress_failed);
  // The magic is checked even when it arrives one byte at a time.
  codec::decompressor d2;
  CHECK(d2.feed(std::span(legacy, 1), out).err().code == errc::decompress_failed);
}

TEST_CASE("codec: a complete (ended) zstd frame is refused: our streams never end") {
  std::string text = "hello hello hello";
  std::vector<std::uint8_t> framed(ZSTD_compressBound(text.size()));
  framed.resize(ZSTD_compress(framed.data(), framed.size(), text.data(), text.size(), 3));
  codec::decompressor d;
  std::string out;
  CHECK(d.feed(framed, out).err().code == errc::decompress_failed);
}

TEST_CASE("codec: limit zstd_level is the compressor's default, and the stream round-trips at it") {
  // A DOM-like message: a default compressor and one built with zstd_level emit the same bytes;
  // one at level 1 does not (so the comparison can tell levels apart).
  std::string msg;
  for (int i = 0; i < 4000; ++i) msg += R"([-1,"div",{"class":"row r)" + std::to_string(i % 37) + R"("}],[-1,"#t","item )" + std::to_string(i) + R"("],)";
  codec::compressor by_default;
  codec::compressor at_limit(static_cast<int>(protocol::limits::zstd_level));
  codec::compressor fast(1);
  auto a = compress_one(by_default, msg);
  auto b = compress_one(at_limit, msg);
  auto c = compress_one(fast, msg);
  CHECK(a == b);
  CHECK(a != c);
  codec::decompressor d;
  std::string out;
  REQUIRE(d.feed(a, out));
  CHECK(out == msg);
}
