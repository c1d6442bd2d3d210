// The data path between two hosts: fragmentation, ordering, end records, and every way an
// attacker on the relay could interfere with the frames.
#include <doctest/doctest.h>

#include <sodium.h>

#include "host/peer_stream.hpp"

using namespace cotab;
using host::peer_reader;
using host::peer_writer;
using frames = std::vector<std::vector<std::uint8_t>>;

namespace {

secure_bytes test_key(std::uint8_t fill) {
  std::vector<std::uint8_t> raw(32, fill);
  return secure_bytes(std::span<const std::uint8_t>(raw));
}

frames write(peer_writer& w, std::string_view msg) {
  frames out;
  w.write_message(msg, [&](std::vector<std::uint8_t>&& f) { out.push_back(std::move(f)); });
  return out;
}

// Feeds frames; returns the messages completed.
std::vector<std::string> read_all(peer_reader& r, const frames& fs, errc* error_out = nullptr) {
  std::vector<std::string> got;
  for (const auto& f : fs) {
    auto e = r.on_frame(f);
    if (!e) {
      if (error_out != nullptr) *error_out = e.err().code;
      return got;
    }
    if (e->what == peer_reader::event::kind::message) got.push_back(e->text);
  }
  return got;
}

struct pipe_pair {
  peer_writer writer{test_key(7), 0};
  peer_reader reader{test_key(7), 0};
  pipe_pair() { REQUIRE(reader.on_frame(writer.header_frame())); }
};

}  // namespace

TEST_CASE("peer_stream: messages arrive intact and in order") {
  pipe_pair p;
  std::vector<std::string> sent;
  frames all;
  for (int i = 0; i < 100; ++i) {
    sent.push_back(R"({"seq":)" + std::to_string(i) + "}");
    auto fs = write(p.writer, sent.back());
    all.insert(all.end(), fs.begin(), fs.end());
  }
  CHECK(read_all(p.reader, all) == sent);
}

TEST_CASE("peer_stream: a large message is split into fragments no bigger than fragment_bytes") {
  pipe_pair p;
  std::string big = "\"";
  std::uint32_t x = 7;
  for (int i = 0; i < 3'000'000; ++i) big.push_back(static_cast<char>('a' + ((x = x * 1664525 + 1013904223) >> 28)));
  big += "\"";
  auto fs = write(p.writer, big);
  CHECK(fs.size() > 2);
  for (const auto& f : fs) CHECK(f.size() <= 1 + 1 + protocol::limits::fragment_bytes + 17);
  CHECK(read_all(p.reader, fs) == std::vector<std::string>{big});
}

TEST_CASE("peer_stream: the end record ends the stream and carries its reason") {
  pipe_pair p;
  auto end = p.writer.end_frame("local-end");
  auto e = p.reader.on_frame(end);
  REQUIRE(e);
  CHECK(e->what == peer_reader::event::kind::end);
  CHECK(e->text == "local-end");
  // threat: the relay appends frames after the end
  CHECK(p.reader.on_frame(end).err().code == errc::protocol_violation);
}

TEST_CASE("peer_stream: a dropped frame is detected") {
  // threat: the relay silently drops a frame
  pipe_pair p;
  auto a = write(p.writer, "1");
  auto b = write(p.writer, "2");
  auto c = write(p.writer, "3");
  errc code = errc::ok;
  auto got = read_all(p.reader, {a[0], c[0]}, &code);
  CHECK(got == std::vector<std::string>{"1"});
  CHECK(code == errc::decrypt_failed);
}

TEST_CASE("peer_stream: reordered frames are detected") {
  // threat: the relay reorders frames
  pipe_pair p;
  auto a = write(p.writer, "1");
  auto b = write(p.writer, "2");
  errc code = errc::ok;
  CHECK(read_all(p.reader, {b[0], a[0]}, &code).empty());
  CHECK(code == errc::decrypt_failed);
}

TEST_CASE("peer_stream: a replayed frame is detected") {
  // threat: the relay replays an old frame
  pipe_pair p;
  auto a = write(p.writer, "1");
  errc code = errc::ok;
  CHECK(read_all(p.reader, {a[0], a[0]}, &code) == std::vector<std::string>{"1"});
  CHECK(code == errc::decrypt_failed);
}

TEST_CASE("peer_stream: a flipped bit is detected") {
  // threat: the relay tampers with ciphertext
  pipe_pair p;
  auto a = write(p.writer, R"({"x":1})");
  a[0][a[0].size() / 2] ^= 0x01;
  errc code = errc::ok;
  CHECK(read_all(p.reader, a, &code).empty());
  CHECK(code == errc::decrypt_failed);
}

TEST_CASE("peer_stream: a frame from another epoch or key is refused") {
  // threat: the relay splices frames from another session (or an older epoch) into this one
  peer_writer other(test_key(8), 0);
  peer_reader reader(test_key(7), 0);
  CHECK(reader.on_frame(other.header_frame()));  // headers are not authenticated by themselves...
  auto fs = write(other, "1");
  CHECK(reader.on_frame(fs[0]).err().code == errc::decrypt_failed);  // ...the first data frame is

  peer_writer epoch1(test_key(7), 1);
  peer_reader reader0(test_key(7), 0);
  CHECK(reader0.on_frame(epoch1.header_frame()).err().code == errc::protocol_violation);
}

TEST_CASE("peer_stream: data before the header, a second header and unknown kinds are protocol violations") {
  peer_writer w(test_key(1), 0);
  auto fs = write(w, "1");
  {
    peer_reader r(test_key(1), 0);
    CHECK(r.on_frame(fs[0]).err().code == errc::protocol_violation);
  }
  {
    peer_reader r(test_key(1), 0);
    REQUIRE(r.on_frame(w.header_frame()));
    CHECK(r.on_frame(w.header_frame()).err().code == errc::protocol_violation);
  }
  {
    peer_reader r(test_key(1), 0);
    std::vector<std::uint8_t> odd = {0x77, 1, 2, 3};
    CHECK(r.on_frame(odd).err().code == errc::protocol_violation);
    std::vector<std::uint8_t> empty;
    peer_reader r2(test_key(1), 0);
    CHECK(r2.on_frame(empty).err().code == errc::protocol_violation);
  }
}

TEST_CASE("peer_stream: a peer that sends invalid JSON is caught by the receiving host") {
  // threat: a hostile (modified) peer host bypasses its own validation
  pipe_pair p;
  auto fs = write(p.writer, "{not json");
  errc code = errc::ok;
  CHECK(read_all(p.reader, fs, &code).empty());
  CHECK(code == errc::protocol_violation);
}
