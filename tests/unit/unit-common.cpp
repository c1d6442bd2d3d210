#include <doctest/doctest.h>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"
#include "test_support.hpp"

#include <map>

using namespace cotab;

TEST_CASE("error registry: generated names round-trip and match errors.json") {
  auto registry = testing::protocol_json("errors.json");
  for (const auto& e : registry["errors"]) {
    auto code = e["code"].get<std::string>();
    auto parsed = protocol::parse_error_name(code);
    REQUIRE(parsed.has_value());
    CHECK(protocol::error_name(*parsed) == code);
    CHECK(static_cast<int>(*parsed) == e["id"].get<int>());
    CHECK(protocol::error_is_fatal(*parsed) == e["fatal"].get<bool>());
  }
  CHECK_FALSE(protocol::parse_error_name("no-such-error").has_value());
}

TEST_CASE("limits: generated constants equal limits.json") {
  auto limits = testing::protocol_json("limits.json");
  std::map<std::string, std::uint64_t> values;
  for (const auto& l : limits["limits"]) values[l["name"].get<std::string>()] = l["value"].get<std::uint64_t>();
  CHECK(values.at("max_inbound_frame_bytes") == protocol::limits::max_inbound_frame_bytes);
  CHECK(values.at("max_outbound_frame_bytes") == protocol::limits::max_outbound_frame_bytes);
  CHECK(values.at("chunk_budget_bytes") == protocol::limits::chunk_budget_bytes);
  CHECK(protocol::limits::chunk_budget_bytes < protocol::limits::max_outbound_frame_bytes);
}

TEST_CASE("result: carries a value or a registry error") {
  result<int> ok = 5;
  REQUIRE(ok);
  CHECK(*ok == 5);
  result<int> bad = make_error(errc::bad_json, "nope");
  REQUIRE_FALSE(bad);
  CHECK(bad.err().code == errc::bad_json);
  CHECK(bad.err().name() == "bad-json");
  CHECK_FALSE(bad.err().fatal());
}

TEST_CASE("secure_bytes: moves ownership and compares in constant time") {
  std::uint8_t raw[4] = {1, 2, 3, 4};
  secure_bytes a(std::span<const std::uint8_t>(raw, 4));
  CHECK(a.equals(std::span<const std::uint8_t>(raw, 4)));
  secure_bytes b = std::move(a);
  CHECK(a.empty());
  CHECK(b.size() == 4);
  raw[3] = 9;
  CHECK_FALSE(b.equals(std::span<const std::uint8_t>(raw, 4)));
}
