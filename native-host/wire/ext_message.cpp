#include "wire/ext_message.hpp"

#include <limits>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire/json_scan.hpp"

namespace cotab::wire {
namespace {

using protocol::limits::max_json_depth;
using protocol::limits::max_message_bytes;

error bad(std::string message) { return make_error(errc::bad_message, std::move(message)); }

// Parses a small scalar member value (never `data`) with the library.
nlohmann::json small_value(std::string_view raw) { return nlohmann::json::parse(raw); }

std::optional<std::string> string_member(const json_member& m) {
  auto v = small_value(m.value);
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

}  // namespace

result<ext_message> decode_ext_message(std::string_view payload, std::optional<std::uint64_t>* id_out) {
  if (payload.size() > max_message_bytes + 1024) {
    return make_error(errc::message_too_large, "message larger than max_message_bytes");
  }
  if (!json_valid(payload)) return make_error(errc::bad_json, "not valid UTF-8 JSON");
  if (json_max_depth(payload) > max_json_depth) {
    return make_error(errc::json_too_deep, "nesting deeper than max_json_depth");
  }
  std::vector<json_member> members;
  if (!json_top_level_members(payload, members)) return bad("a message must be a JSON object");

  std::set<std::string> seen;
  const json_member* type = nullptr;
  const json_member* relay = nullptr;
  const json_member* code = nullptr;
  const json_member* data = nullptr;
  std::optional<std::uint64_t> id;
  for (const auto& m : members) {
    if (!seen.insert(m.key).second) return bad("duplicate member '" + m.key + "'");
    if (m.key == "type") type = &m;
    else if (m.key == "relay") relay = &m;
    else if (m.key == "code") code = &m;
    else if (m.key == "data") data = &m;
    else if (m.key == "id") {
      auto v = small_value(m.value);
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > (std::uint64_t{1} << 53)) {
        return bad("'id' must be an integer from 0 to 2^53");
      }
      id = v.get<std::uint64_t>();
      if (id_out != nullptr) *id_out = id;
    }
  }
  if (type == nullptr) return bad("missing 'type'");
  auto type_name = string_member(*type);
  if (!type_name) return bad("'type' must be a string");

  // Which members each type allows besides type and id.
  auto only = [&](std::initializer_list<std::string_view> allowed) -> std::optional<error> {
    for (const auto& m : members) {
      if (m.key == "type" || m.key == "id") continue;
      bool ok = false;
      for (auto a : allowed) ok = ok || m.key == a;
      if (!ok) return bad("unexpected member '" + m.key + "' in '" + *type_name + "'");
    }
    return std::nullopt;
  };
  auto required_string = [&](const json_member* m, std::string_view name) -> result<std::string> {
    if (m == nullptr) return bad("'" + *type_name + "' needs '" + std::string(name) + "'");
    auto s = string_member(*m);
    if (!s) return bad("'" + std::string(name) + "' must be a string");
    return *s;
  };

  ext_message msg{id, hello_msg{}};
  if (*type_name == "hello") {
    if (auto e = only({})) return *e;
    msg.body = hello_msg{};
  } else if (*type_name == "share") {
    if (auto e = only({"relay"})) return *e;
    auto r = required_string(relay, "relay");
    if (!r) return std::move(r).err();
    msg.body = share_msg{std::move(*r)};
  } else if (*type_name == "join") {
    if (auto e = only({"relay", "code"})) return *e;
    auto r = required_string(relay, "relay");
    if (!r) return std::move(r).err();
    if (code == nullptr) return bad("'join' needs 'code'");
    // The code is read in place (no unescaping copy): it must be a plain string of digits,
    // spaces and dashes, which the crypto layer validates.
    if (code->value.size() < 2 || code->value.front() != '"' || code->value.back() != '"' ||
        code->value.find('\\') != std::string_view::npos) {
      return bad("'code' must be a string without escapes");
    }
    msg.body = join_msg{std::move(*r), code->value.substr(1, code->value.size() - 2)};
  } else if (*type_name == "send") {
    if (auto e = only({"data"})) return *e;
    if (data == nullptr) return bad("'send' needs 'data'");
    if (data->value.size() > max_message_bytes) {
      return make_error(errc::message_too_large, "'data' larger than max_message_bytes");
    }
    msg.body = send_msg{data->value};
  } else if (*type_name == "end") {
    if (auto e = only({})) return *e;
    msg.body = end_msg{};
  } else if (*type_name == "channel") {
    if (auto e = only({})) return *e;
    msg.body = channel_msg{};
  } else if (*type_name == "channel-up") {
    if (auto e = only({})) return *e;
    msg.body = channel_up_msg{};
  } else {
    return make_error(errc::unknown_type, "unknown message type");
  }
  return msg;
}

result<void> check_peer_data(std::string_view data) {
  if (data.size() > max_message_bytes) return make_error(errc::message_too_large, "peer data too large");
  if (!json_valid(data)) return make_error(errc::protocol_violation, "peer data is not valid JSON");
  if (json_max_depth(data) > max_json_depth) return make_error(errc::json_too_deep, "peer data nests too deep");
  return {};
}

}  // namespace cotab::wire
