// Extension -> host message decoding: the shared vectors, and the limits behind them.
#include <doctest/doctest.h>

#include "test_support.hpp"
#include "wire/ext_message.hpp"
#include "wire/json_scan.hpp"

using namespace cotab;

namespace {

std::string input_of(const nlohmann::json& c) {
  if (c.contains("input_hex")) {
    auto bytes = testing::from_hex(c["input_hex"].get<std::string>());
    return std::string(bytes.begin(), bytes.end());
  }
  return c["input"].get<std::string>();
}

std::string type_of(const wire::ext_body& body) {
  return std::visit(
      [](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, wire::hello_msg>) return "hello";
        if constexpr (std::is_same_v<T, wire::share_msg>) return "share";
        if constexpr (std::is_same_v<T, wire::join_msg>) return "join";
        if constexpr (std::is_same_v<T, wire::send_msg>) return "send";
        if constexpr (std::is_same_v<T, wire::channel_msg>) return "channel";
        if constexpr (std::is_same_v<T, wire::channel_up_msg>) return "channel-up";
        return "end";
      },
      body);
}

}  // namespace

TEST_CASE("ext_message: shared vectors decode to the expected type or error code") {
  auto vectors = testing::protocol_json("vectors/messages.json");
  for (const auto& c : vectors["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    std::string input = input_of(c);
    auto decoded = wire::decode_ext_message(input);
    if (c.contains("error")) {
      REQUIRE_FALSE(decoded);
      CHECK(decoded.err().name() == c["error"].get<std::string>());
      continue;
    }
    REQUIRE(decoded);
    const auto& want = c["ok"];
    CHECK(type_of(decoded->body) == want["type"].get<std::string>());
    if (want.contains("id")) {
      REQUIRE(decoded->id.has_value());
      CHECK(*decoded->id == want["id"].get<std::uint64_t>());
    } else {
      CHECK_FALSE(decoded->id.has_value());
    }
    if (auto* s = std::get_if<wire::share_msg>(&decoded->body)) CHECK(s->relay == want["relay"].get<std::string>());
    if (auto* j = std::get_if<wire::join_msg>(&decoded->body)) {
      CHECK(j->relay == want["relay"].get<std::string>());
      CHECK(std::string(j->code) == want["code"].get<std::string>());
    }
    if (auto* s = std::get_if<wire::send_msg>(&decoded->body)) CHECK(std::string(s->data) == want["data"].get<std::string>());
  }
}

TEST_CASE("ext_message: an error still reports the request id when it could be read") {
  std::optional<std::uint64_t> id;
  auto decoded = wire::decode_ext_message(R"({"type":"nope","id":42})", &id);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.err().code == errc::unknown_type);
  REQUIRE(id.has_value());
  CHECK(*id == 42);
}

TEST_CASE("ext_message: send data of max_message_bytes + 1 is message-too-large") {
  std::string big = R"({"type":"send","data":")" + std::string(protocol::limits::max_message_bytes, 'x') + R"("})";
  auto decoded = wire::decode_ext_message(big);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.err().code == errc::message_too_large);
}

TEST_CASE("ext_message: a 20 MB data value is forwarded as the same bytes, not re-serialized") {
  std::string data = "{\"html\":\"" + std::string(20'000'000, 'a') + "\",\"n\":1.50}";
  std::string frame = R"({"type":"send","data":)" + data + "}";
  auto decoded = wire::decode_ext_message(frame);
  REQUIRE(decoded);
  auto& send = std::get<wire::send_msg>(decoded->body);
  CHECK(send.data.size() == data.size());
  CHECK(send.data == data);  // "1.50" survives: nothing was re-serialized
}

TEST_CASE("check_peer_data: the receiving host re-validates what a (possibly hostile) peer sent") {
  // threat: a hostile peer host sends bytes that would break the extension's JSON.parse
  CHECK(wire::check_peer_data(R"({"a":[1,2]})"));
  CHECK(wire::check_peer_data("not json").err().code == errc::protocol_violation);
  CHECK(wire::check_peer_data("\"\xff\"").err().code == errc::protocol_violation);
  CHECK(wire::check_peer_data(std::string(65, '[') + std::string(65, ']')).err().code == errc::json_too_deep);
}

TEST_CASE("json_scan: depth ignores brackets inside strings") {
  CHECK(wire::json_max_depth(R"({"a":"[[[[{{{{"})") == 1);
  CHECK(wire::json_max_depth(R"([[["\"]]]"]]])") == 3);
  CHECK(wire::json_max_depth("5") == 0);
}
