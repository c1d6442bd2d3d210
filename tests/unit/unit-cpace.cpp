// CPace building blocks against the published vectors of draft-irtf-cfrg-cpace-21
// (shared/protocol/vectors/cpace-draft.json; see its "source" for where each value comes from).
#include <doctest/doctest.h>

#include <sodium.h>

#include "crypto/cpace.hpp"
#include "test_support.hpp"

using namespace cotab;
namespace cpace = cotab::crypto::cpace;
using testing::from_hex;
using testing::to_hex;

namespace {

const nlohmann::json& vectors() {
  static const nlohmann::json v = testing::protocol_json("vectors/cpace-draft.json");
  return v;
}

std::vector<std::uint8_t> hex_field(const nlohmann::json& obj, const char* key) {
  return from_hex(obj.at(key).get<std::string>());
}

std::array<std::uint8_t, 32> scalar32(const std::vector<std::uint8_t>& v) {
  REQUIRE(v.size() == 32);
  std::array<std::uint8_t, 32> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

}  // namespace

TEST_CASE("cpace vectors: the file cites the draft it was copied from") {
  CHECK(vectors().at("source").at("draft").get<std::string>() == "draft-irtf-cfrg-cpace-21");
}

TEST_CASE("cpace: prepend_len encodes the length as LEB128 (draft A.1.2)") {
  for (const auto& c : vectors().at("prepend_len").at("cases")) {
    auto in = hex_field(c, "input_hex");
    CHECK(to_hex(cpace::prepend_len(in)) == c.at("output_hex").get<std::string>());
  }
  // Beyond the draft's cases: a three-byte length (16384 = 0x80 0x80 0x01).
  std::vector<std::uint8_t> big(16384, 0xab);
  auto out = cpace::prepend_len(big);
  REQUIRE(out.size() == 3 + big.size());
  CHECK(out[0] == 0x80);
  CHECK(out[1] == 0x80);
  CHECK(out[2] == 0x01);
}

TEST_CASE("cpace: lv_cat concatenates length-value pairs (draft A.1.4)") {
  for (const auto& c : vectors().at("lv_cat").at("cases")) {
    std::vector<std::vector<std::uint8_t>> args;
    for (const auto& a : c.at("args_hex")) args.push_back(from_hex(a.get<std::string>()));
    REQUIRE(args.size() == 4);
    auto out = cpace::lv_cat({args[0], args[1], args[2], args[3]});
    CHECK(to_hex(out) == c.at("output_hex").get<std::string>());
  }
}

TEST_CASE("cpace: o_cat and the transcripts match the draft (A.3.3, A.3.5, A.3.7)") {
  for (const auto& c : vectors().at("o_cat").at("cases"))
    CHECK(to_hex(cpace::o_cat(hex_field(c, "a_hex"), hex_field(c, "b_hex"))) ==
          c.at("output_hex").get<std::string>());
  for (const auto& c : vectors().at("transcript_ir").at("cases"))
    CHECK(to_hex(cpace::transcript_ir(hex_field(c, "Ya_hex"), hex_field(c, "ADa_hex"),
                                      hex_field(c, "Yb_hex"), hex_field(c, "ADb_hex"))) ==
          c.at("output_hex").get<std::string>());
  for (const auto& c : vectors().at("transcript_oc").at("cases"))
    CHECK(to_hex(cpace::transcript_oc(hex_field(c, "Ya_hex"), hex_field(c, "ADa_hex"),
                                      hex_field(c, "Yb_hex"), hex_field(c, "ADb_hex"))) ==
          c.at("output_hex").get<std::string>());
}

TEST_CASE("cpace ristretto255: generator string, hash and generator match the draft (B.3.1)") {
  const auto& v = vectors().at("ristretto255_sha512");
  auto prs = hex_field(v, "PRS_hex");
  auto ci = hex_field(v, "CI_hex");
  auto sid = hex_field(v, "sid_hex");
  CHECK(v.at("DSI_ascii").get<std::string>() == cpace::dsi);

  auto gen_str = cpace::generator_string(cpace::as_bytes(cpace::dsi), prs, ci, sid,
                                         v.at("s_in_bytes").get<std::size_t>());
  CHECK(to_hex(gen_str) == v.at("generator_string_hex").get<std::string>());
  CHECK(to_hex(cpace::generator_hash(prs, ci, sid)) == v.at("generator_hash_hex").get<std::string>());
  CHECK(to_hex(cpace::calculate_generator(prs, ci, sid)) == v.at("g_hex").get<std::string>());
}

TEST_CASE("cpace ristretto255: Ya, Yb, K and both ISKs match the draft (B.3.2-B.3.6)") {
  const auto& v = vectors().at("ristretto255_sha512");
  auto prs = hex_field(v, "PRS_hex");
  auto ci = hex_field(v, "CI_hex");
  auto sid = hex_field(v, "sid_hex");
  auto g = cpace::calculate_generator(prs, ci, sid);
  auto ya = scalar32(hex_field(v, "ya_hex"));
  auto yb = scalar32(hex_field(v, "yb_hex"));

  auto Ya = cpace::scalar_mult(ya, g.span());
  auto Yb = cpace::scalar_mult(yb, g.span());
  CHECK(to_hex(Ya) == v.at("Ya_hex").get<std::string>());
  CHECK(to_hex(Yb) == v.at("Yb_hex").get<std::string>());

  auto k_a = cpace::scalar_mult_vfy(ya, Yb);
  auto k_b = cpace::scalar_mult_vfy(yb, Ya);
  CHECK(to_hex(k_a) == v.at("K_hex").get<std::string>());
  CHECK(to_hex(k_b) == v.at("K_hex").get<std::string>());
  CHECK_FALSE(cpace::is_identity(k_a.span()));

  auto ad_a = hex_field(v, "ADa_hex");
  auto ad_b = hex_field(v, "ADb_hex");
  auto tr_ir = cpace::transcript_ir(Ya, ad_a, Yb, ad_b);
  CHECK(to_hex(tr_ir) == v.at("transcript_ir_hex").get<std::string>());
  CHECK(to_hex(cpace::derive_isk(sid, k_a.span(), tr_ir)) == v.at("ISK_IR_hex").get<std::string>());

  auto tr_oc = cpace::transcript_oc(Ya, ad_a, Yb, ad_b);
  CHECK(to_hex(tr_oc) == v.at("transcript_oc_hex").get<std::string>());
  CHECK(to_hex(cpace::derive_isk(sid, k_a.span(), tr_oc)) == v.at("ISK_SY_hex").get<std::string>());
}

TEST_CASE("cpace ristretto255: scalar_mult_vfy of a valid point matches the draft (B.3.10)") {
  const auto& v = vectors().at("scalar_mult_valid");
  auto s = scalar32(hex_field(v, "s_hex"));
  auto x = hex_field(v, "X_hex");
  CHECK(to_hex(cpace::scalar_mult(s, x)) == v.at("result_hex").get<std::string>());
  CHECK(to_hex(cpace::scalar_mult_vfy(s, x)) == v.at("result_hex").get<std::string>());
}

// threat: a peer or the relay sends a share that is not a group element or is the neutral
// element, hoping to force a known K.
TEST_CASE("cpace ristretto255: scalar_mult_vfy returns the neutral element for invalid points (B.3.11)") {
  const auto& v = vectors().at("scalar_mult_vfy_invalid");
  auto s = scalar32(hex_field(v, "s_hex"));
  for (const auto& p : v.at("points_hex")) {
    auto point = from_hex(p.get<std::string>());
    auto k = cpace::scalar_mult_vfy(s, point);
    CHECK(to_hex(k) == std::string(64, '0'));
    CHECK(cpace::is_identity(k.span()));
  }
}

TEST_CASE("cpace ristretto255: scalar_mult_vfy rejects wrong lengths and non-canonical encodings") {
  const auto& v = vectors().at("scalar_mult_valid");
  auto s = scalar32(hex_field(v, "s_hex"));
  auto x = hex_field(v, "X_hex");
  // Too short, too long, empty.
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, std::span(x).first(31)).span()));
  auto longer = x;
  longer.push_back(0);
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, longer).span()));
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, std::span<const std::uint8_t>{}).span()));
  // High bit set (never canonical for ristretto255).
  auto high = x;
  high[31] |= 0x80;
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, high).span()));
  // All-ones: bit 255 set and a field element >= p.
  std::vector<std::uint8_t> ones(32, 0xff);
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, ones).span()));
  // p itself and 2^255 - 1 (bit 255 clear, still >= p).
  auto p = from_hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, p).span()));
  ones[31] = 0x7f;
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, ones).span()));
  // A negative (odd) s is not a canonical ristretto255 encoding either.
  auto odd = x;
  odd[0] ^= 1;
  CHECK(cpace::is_identity(cpace::scalar_mult_vfy(s, odd).span()));
}

TEST_CASE("cpace: zero padding fills the first SHA-512 block and vanishes for long passwords") {
  std::vector<std::uint8_t> none;
  // Short PRS: DSI and PRS plus the padding exactly fill 128 bytes (+1 for the padding length).
  std::vector<std::uint8_t> prs(11, '7');
  auto s = cpace::generator_string(cpace::as_bytes(cpace::dsi), prs, none, none);
  const std::size_t zpad = 128 - 1 - (1 + prs.size()) - (1 + cpace::dsi.size());
  CHECK(s.size() == (1 + cpace::dsi.size()) + (1 + prs.size()) + (1 + zpad) + 1 + 1);
  // A PRS longer than the block: no padding, one zero length byte.
  std::vector<std::uint8_t> long_prs(200, 'x');
  auto l = cpace::generator_string(cpace::as_bytes(cpace::dsi), long_prs, none, none);
  CHECK(l.size() == (1 + cpace::dsi.size()) + (2 + long_prs.size()) + 1 + 1 + 1);
}

TEST_CASE("cpace: sampled scalars are fresh and give valid shares") {
  auto g = cpace::calculate_generator(cpace::as_bytes("4821-937204"), cpace::as_bytes("cotab/1"),
                                      cpace::as_bytes("0123456789abcdef"));
  auto y1 = cpace::sample_scalar();
  auto y2 = cpace::sample_scalar();
  REQUIRE(y1.size() == 32);
  CHECK_FALSE(y1.equals(y2.span()));
  auto Y = cpace::scalar_mult(std::span<const std::uint8_t, 32>(y1.data(), 32), g.span());
  CHECK_FALSE(cpace::is_identity(Y));
  CHECK(crypto_core_ristretto255_is_valid_point(Y.data()) == 1);
}

TEST_CASE("cpace: different passwords, channel identifiers or sids give different generators") {
  auto sid = cpace::as_bytes("0123456789abcdef");
  auto ci = cpace::as_bytes("cotab/1");
  auto g = cpace::calculate_generator(cpace::as_bytes("4821-937204"), ci, sid);
  CHECK_FALSE(g.equals(cpace::calculate_generator(cpace::as_bytes("4821-937205"), ci, sid).span()));
  CHECK_FALSE(g.equals(cpace::calculate_generator(cpace::as_bytes("4821-937204"), cpace::as_bytes("cotab/2"), sid).span()));
  CHECK_FALSE(g.equals(cpace::calculate_generator(cpace::as_bytes("4821-937204"), ci, cpace::as_bytes("0123456789abcdeg")).span()));
}
