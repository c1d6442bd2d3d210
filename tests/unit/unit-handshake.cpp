// The cotab key agreement (native-host/crypto/handshake.hpp, shared/protocol/key-agreement.md).
#include <doctest/doctest.h>

#include <sodium.h>

#include "crypto/code.hpp"
#include "crypto/handshake.hpp"
#include "test_support.hpp"

using namespace cotab;
using namespace cotab::crypto;
using testing::from_hex;
using testing::to_hex;
using bytes = std::vector<std::uint8_t>;

namespace {

const bytes sid = from_hex("00112233445566778899aabbccddeeff");

secure_bytes password(std::string_view canonical) { return secure_bytes(cpace::as_bytes(canonical)); }

struct pair {
  handshake initiator;
  handshake responder;
};

pair make_pair(std::string_view code_a = "4821-937204", std::string_view code_b = "4821-937204",
               const bytes& sid_a = sid, const bytes& sid_b = sid) {
  return pair{handshake(role::initiator, password(code_a), sid_a),
              handshake(role::responder, password(code_b), sid_b)};
}

// Runs the whole exchange; returns true if both sides confirmed.
bool run(pair& p) {
  auto a = p.initiator.start();
  auto b = p.responder.on_frame(a);
  if (!b) return false;
  auto c = p.initiator.on_frame(*b);
  if (!c) return false;
  auto done = p.responder.on_frame(*c);
  return done && done->empty() && p.initiator.confirmed() && p.responder.confirmed();
}

errc error_of(const result<bytes>& r) {
  REQUIRE_FALSE(r);
  return r.err().code;
}

const nlohmann::json& kat() {
  static const nlohmann::json v = testing::protocol_json("vectors/handshake.json");
  return v;
}

std::array<std::uint8_t, 32> scalar(const char* key) {
  auto v = from_hex(kat().at(key).get<std::string>());
  REQUIRE(v.size() == 32);
  std::array<std::uint8_t, 32> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

handshake kat_side(role r) {
  auto pw = password(kat().at("password_ascii").get<std::string>());
  auto s = from_hex(kat().at("sid_hex").get<std::string>());
  return handshake::with_scalar(r, pw, s,
                                scalar(r == role::initiator ? "initiator_scalar_hex" : "responder_scalar_hex"));
}

bytes kat_frame(const char* key) { return from_hex(kat().at(key).get<std::string>()); }

// A KAT handshake brought into one of the named states of handshake.json.
handshake kat_in_state(const std::string& state) {
  if (state == "responder-fresh") return kat_side(role::responder);
  if (state == "initiator-started") {
    auto h = kat_side(role::initiator);
    (void)h.start();
    return h;
  }
  if (state == "responder-awaiting-confirm-a") {
    auto h = kat_side(role::responder);
    REQUIRE(h.on_frame(kat_frame("cpace_a_hex")));
    return h;
  }
  if (state == "initiator-confirmed") {
    auto h = kat_side(role::initiator);
    (void)h.start();
    REQUIRE(h.on_frame(kat_frame("cpace_b_hex")));
    REQUIRE(h.confirmed());
    return h;
  }
  if (state == "responder-confirmed") {
    auto h = kat_side(role::responder);
    REQUIRE(h.on_frame(kat_frame("cpace_a_hex")));
    REQUIRE(h.on_frame(kat_frame("confirm_a_hex")));
    REQUIRE(h.confirmed());
    return h;
  }
  FAIL("unknown state in handshake.json: " << state);
  return kat_side(role::responder);
}

}  // namespace

TEST_CASE("handshake: two sides with the same code confirm, agree on the SAS and on every key") {
  auto p = make_pair();
  REQUIRE(run(p));
  auto sas = p.initiator.sas();
  CHECK(sas == p.responder.sas());
  REQUIRE(sas.size() == 7);
  CHECK(sas[3] == ' ');
  for (std::uint32_t epoch : {0u, 1u, 2u, 1000u}) {
    CAPTURE(epoch);
    auto i_send = p.initiator.stream_key(epoch, true);
    auto i_recv = p.initiator.stream_key(epoch, false);
    CHECK(i_send.size() == 32);
    CHECK(i_send.equals(p.responder.stream_key(epoch, false).span()));
    CHECK(i_recv.equals(p.responder.stream_key(epoch, true).span()));
    CHECK_FALSE(i_send.equals(i_recv.span()));  // the two directions never share a key
  }
  CHECK_FALSE(p.initiator.stream_key(0, true).equals(p.initiator.stream_key(1, true).span()));
  CHECK_FALSE(p.initiator.stream_key(0, false).equals(p.initiator.stream_key(1, false).span()));
}

TEST_CASE("handshake: frame sizes and kinds are exactly as specified") {
  auto p = make_pair();
  auto a = p.initiator.start();
  CHECK(a.size() == 34);
  CHECK(a[0] == 0x01);
  CHECK(a[1] == 0x01);
  auto b = p.responder.on_frame(a);
  REQUIRE(b);
  CHECK(b->size() == 66);
  CHECK((*b)[0] == 0x02);
  CHECK((*b)[1] == 0x01);
  auto c = p.initiator.on_frame(*b);
  REQUIRE(c);
  CHECK(c->size() == 33);
  CHECK((*c)[0] == 0x03);
  CHECK(p.initiator.confirmed());
  CHECK_FALSE(p.responder.confirmed());  // not before it has checked tag_a
  REQUIRE(p.responder.on_frame(*c));
  CHECK(p.responder.confirmed());
}

TEST_CASE("handshake: two runs with the same code give different keys (fresh scalars)") {
  auto p = make_pair();
  auto q = make_pair();
  REQUIRE(run(p));
  REQUIRE(run(q));
  CHECK_FALSE(p.initiator.stream_key(0, true).equals(q.initiator.stream_key(0, true).span()));
}

// threat: an online guesser (or a mistyped code) — the initiator detects it and the responder
// learns it from the abort frame; nothing else is revealed and the nameplate is burned.
TEST_CASE("handshake: a wrong code is bad-code on the initiator and, via abort, on the responder") {
  auto p = make_pair("4821-937204", "4821-937205");
  auto a = p.initiator.start();
  auto b = p.responder.on_frame(a);
  REQUIRE(b);  // the responder cannot tell yet
  auto c = p.initiator.on_frame(*b);
  CHECK(error_of(c) == errc::bad_code);
  CHECK(p.initiator.failed());
  CHECK_FALSE(p.initiator.confirmed());
  auto abort = abort_frame(errc::bad_code);
  CHECK(to_hex(abort) == "04" + to_hex(std::string("bad-code")));
  CHECK(error_of(p.responder.on_frame(abort)) == errc::bad_code);
  CHECK(p.responder.failed());
}

// threat: the relay hands the two peers different room ids to splice two sessions.
TEST_CASE("handshake: different sids make confirmation fail") {
  auto other = from_hex("00112233445566778899aabbccddeefe");
  auto p = make_pair("4821-937204", "4821-937204", sid, other);
  auto b = p.responder.on_frame(p.initiator.start());
  REQUIRE(b);
  CHECK(error_of(p.initiator.on_frame(*b)) == errc::bad_code);
}

// threat: a man in the middle (the relay) relays its own shares to both sides without the code.
TEST_CASE("handshake: a relay substituting its own shares fails confirmation on both ends") {
  auto p = make_pair();
  // The relay runs a responder and an initiator with a guessed code.
  auto mitm = make_pair("4821-000000", "4821-000000");
  auto a = p.initiator.start();
  auto b_fake = mitm.responder.on_frame(a);
  REQUIRE(b_fake);
  CHECK(error_of(p.initiator.on_frame(*b_fake)) == errc::bad_code);
  auto a_fake = mitm.initiator.start();
  auto b = p.responder.on_frame(a_fake);
  REQUIRE(b);
  CHECK(error_of(mitm.initiator.on_frame(*b)) == errc::bad_code);
}

// threat: the relay flips bits in handshake frames.
TEST_CASE("handshake: any single bit flip in cpace-b or confirm-a is detected") {
  for (std::size_t byte = 2; byte < 66; byte += 7) {
    auto p = make_pair();
    auto b = p.responder.on_frame(p.initiator.start());
    REQUIRE(b);
    auto tampered = *b;
    tampered[byte] ^= 0x10;
    CAPTURE(byte);
    CHECK(error_of(p.initiator.on_frame(tampered)) == errc::bad_code);
  }
  for (std::size_t byte = 1; byte < 33; byte += 5) {
    auto p = make_pair();
    auto b = p.responder.on_frame(p.initiator.start());
    REQUIRE(b);
    auto c = p.initiator.on_frame(*b);
    REQUIRE(c);
    auto tampered = *c;
    tampered[byte] ^= 0x01;
    CAPTURE(byte);
    CHECK(error_of(p.responder.on_frame(tampered)) == errc::bad_code);
    CHECK_FALSE(p.responder.confirmed());
  }
}

// threat: the relay alters the initiator's share; the responder answers but the initiator's
// check of tag_b fails.
TEST_CASE("handshake: a tampered cpace-a share is caught by key confirmation") {
  auto p = make_pair();
  auto a = p.initiator.start();
  a[10] ^= 0x04;
  auto b = p.responder.on_frame(a);
  if (b) {
    CHECK(error_of(p.initiator.on_frame(*b)) == errc::bad_code);
  } else {
    CHECK(b.err().code == errc::bad_code);  // the altered share did not decode
  }
}

TEST_CASE("handshake: after an error every frame is a protocol violation and nothing is confirmed") {
  auto p = make_pair();
  auto a = p.initiator.start();
  CHECK(error_of(p.responder.on_frame(bytes{0x01})) == errc::protocol_violation);
  CHECK(p.responder.failed());
  CHECK(error_of(p.responder.on_frame(a)) == errc::protocol_violation);
  CHECK_FALSE(p.responder.confirmed());
}

TEST_CASE("handshake: abort_frame names the registry error") {
  for (errc code : {errc::bad_code, errc::handshake_timeout, errc::version_mismatch, errc::internal}) {
    auto f = abort_frame(code);
    REQUIRE(f.size() >= 2);
    CHECK(f[0] == 0x04);
    CHECK(std::string(f.begin() + 1, f.end()) == protocol::error_name(code));
    auto h = handshake(role::responder, password("1-123456"), sid);
    CHECK(error_of(h.on_frame(f)) == code);
  }
}

TEST_CASE("handshake: every registry error name fits in an abort frame") {
  auto registry = testing::protocol_json("errors.json");
  for (const auto& e : registry["errors"]) {
    auto name = e["code"].get<std::string>();
    CHECK(name.size() >= 1);
    CHECK(name.size() <= abort_name_max_bytes);
  }
}

TEST_CASE("handshake KAT: fixed scalars give the recorded frames, ISK, SAS and stream keys") {
  auto i = kat_side(role::initiator);
  auto r = kat_side(role::responder);
  auto a = i.start();
  CHECK(to_hex(a) == kat().at("cpace_a_hex").get<std::string>());
  auto b = r.on_frame(a);
  REQUIRE(b);
  CHECK(to_hex(*b) == kat().at("cpace_b_hex").get<std::string>());
  auto c = i.on_frame(*b);
  REQUIRE(c);
  CHECK(to_hex(*c) == kat().at("confirm_a_hex").get<std::string>());
  REQUIRE(r.on_frame(*c));
  REQUIRE(i.confirmed());
  REQUIRE(r.confirmed());
  CHECK(i.sas() == kat().at("sas").get<std::string>());
  CHECK(r.sas() == kat().at("sas").get<std::string>());
  for (const auto& k : kat().at("stream_keys")) {
    auto epoch = k.at("epoch").get<std::uint32_t>();
    CAPTURE(epoch);
    auto i2r = k.at("initiator_to_responder_hex").get<std::string>();
    auto r2i = k.at("responder_to_initiator_hex").get<std::string>();
    CHECK(to_hex(i.stream_key(epoch, true)) == i2r);
    CHECK(to_hex(r.stream_key(epoch, false)) == i2r);
    CHECK(to_hex(r.stream_key(epoch, true)) == r2i);
    CHECK(to_hex(i.stream_key(epoch, false)) == r2i);
  }

  // The CPace intermediates, recomputed with the draft-checked building blocks.
  auto pw = password(kat().at("password_ascii").get<std::string>());
  auto s = from_hex(kat().at("sid_hex").get<std::string>());
  auto g = cpace::calculate_generator(pw.span(), cpace::as_bytes(channel_identifier), s);
  CHECK(to_hex(g) == kat().at("generator_hex").get<std::string>());
  auto ya = scalar("initiator_scalar_hex");
  auto k = cpace::scalar_mult_vfy(ya, std::span(*b).subspan(2, 32));
  CHECK(to_hex(k) == kat().at("K_hex").get<std::string>());
  auto tr = cpace::transcript_ir(std::span(a).subspan(2, 32), {}, std::span(*b).subspan(2, 32), {});
  CHECK(to_hex(cpace::derive_isk(s, k.span(), tr)) == kat().at("isk_hex").get<std::string>());
}

TEST_CASE("handshake vectors: each invalid frame fails with the recorded error") {
  const auto& cases = kat().at("invalid_frames");
  REQUIRE(cases.size() >= 30);
  for (const auto& c : cases) {
    auto name = c.at("name").get<std::string>();
    CAPTURE(name);
    auto h = kat_in_state(c.at("state").get<std::string>());
    auto r = h.on_frame(from_hex(c.at("frame_hex").get<std::string>()));
    REQUIRE_FALSE(r);
    CHECK(protocol::error_name(r.err().code) == c.at("error").get<std::string>());
    CHECK(h.failed());
    CHECK_FALSE(h.confirmed());
    // And the handshake stays dead.
    CHECK(error_of(h.on_frame(kat_frame("cpace_a_hex"))) == errc::protocol_violation);
  }
}

TEST_CASE("handshake: the SAS is six digits with a space, zero-padded") {
  // Many random runs all have the format; the recorded KAT shows the zero padding ("078").
  for (int n = 0; n < 50; ++n) {
    auto p = make_pair();
    REQUIRE(run(p));
    auto sas = p.initiator.sas();
    REQUIRE(sas.size() == 7);
    for (std::size_t i = 0; i < 7; ++i) {
      if (i == 3) CHECK(sas[i] == ' ');
      else CHECK((sas[i] >= '0' && sas[i] <= '9'));
    }
  }
  CHECK(kat().at("sas").get<std::string>() == "078 999");  // recorded KAT keeps its leading zero
}
