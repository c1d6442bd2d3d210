// libFuzzer target: the extension->host message decoder, the peer-data check and the chunker,
// all over the raw input as one frame payload. Everything is checked against an independent
// reference built on nlohmann::json (SAX for depth and duplicate keys, the DOM for the rest):
//   - decode_ext_message never throws; its error is exactly the one the reference expects:
//     not accepted -> bad-json; deeper than max_json_depth -> json-too-deep; not an object,
//     duplicate member, bad id, missing/mistyped type, extra or missing member -> bad-message;
//     unknown type string -> unknown-type;
//   - on success the decoded fields equal the DOM's: id (also through id_out), relay, code,
//     and `send`'s data is a view into the payload that nlohmann accepts, within the depth
//     limit, parsing to the same value as the DOM member;
//   - check_peer_data: ok exactly when accepted and within the depth limit, else
//     protocol-violation / json-too-deep;
//   - for accepted input, write_chunked with a 300-byte budget (the text given as two parts cut
//     at a character boundary): every frame <= budget, one frame equal to the text when it
//     fits, otherwise valid chunk messages with the right id/index/count whose parts
//     concatenate to the text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "wire/chunker.hpp"
#include "wire/ext_message.hpp"

namespace {

using cotab::errc;
using json = nlohmann::json;
namespace limits = cotab::protocol::limits;

// Reference facts about the document, without building a DOM: nesting depth and whether the
// top-level object repeats a (unescaped) key.
struct shape_sax : json::json_sax_t {
  std::size_t depth = 0, max_depth = 0;
  bool duplicate_top_key = false;
  std::set<std::string> top_keys;

  bool open() {
    if (++depth > max_depth) max_depth = depth;
    return true;
  }
  bool close() {
    --depth;
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t& k) override {
    if (depth == 1 && !top_keys.insert(k).second) duplicate_top_key = true;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// The error decode_ext_message must return for a valid, shallow object without duplicate keys
// (errc::ok = must succeed). `join` with a string code may also fail with bad-message when the
// code's text contains escapes (the decoder reads it in place); the caller allows that.
errc expected_for_object(const json& j) {
  if (j.contains("id")) {
    const auto& id = j["id"];
    if (!id.is_number_unsigned() || id.get<std::uint64_t>() > (std::uint64_t{1} << 53)) return errc::bad_message;
  }
  if (!j.contains("type") || !j["type"].is_string()) return errc::bad_message;
  const auto type = j["type"].get<std::string>();
  auto only = [&](std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : j.items()) {
      if (key == "type" || key == "id") continue;
      bool ok = false;
      for (auto a : allowed) ok = ok || key == a;
      if (!ok) return false;
    }
    return true;
  };
  auto string_member = [&](const char* name) { return j.contains(name) && j[name].is_string(); };
  if (type == "hello" || type == "end" || type == "channel" || type == "channel-up") return only({}) ? errc::ok : errc::bad_message;
  if (type == "share") return only({"relay"}) && string_member("relay") ? errc::ok : errc::bad_message;
  if (type == "join") {
    return only({"relay", "code"}) && string_member("relay") && string_member("code") ? errc::ok : errc::bad_message;
  }
  if (type == "send") return only({"data"}) && j.contains("data") ? errc::ok : errc::bad_message;
  return errc::unknown_type;
}

bool within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

void check_decoded(std::string_view payload, const json& j, const cotab::wire::ext_message& msg,
                   const std::optional<std::uint64_t>& id_out) {
  if (j.contains("id")) {
    FUZZ_CHECK(msg.id && *msg.id == j["id"].get<std::uint64_t>());
    FUZZ_CHECK(id_out == msg.id);
  } else {
    FUZZ_CHECK(!msg.id);
  }
  const auto type = j["type"].get<std::string>();
  if (type == "hello") FUZZ_CHECK(std::holds_alternative<cotab::wire::hello_msg>(msg.body));
  if (type == "end") FUZZ_CHECK(std::holds_alternative<cotab::wire::end_msg>(msg.body));
  if (type == "channel") FUZZ_CHECK(std::holds_alternative<cotab::wire::channel_msg>(msg.body));
  if (type == "channel-up") FUZZ_CHECK(std::holds_alternative<cotab::wire::channel_up_msg>(msg.body));
  if (type == "share") {
    const auto* m = std::get_if<cotab::wire::share_msg>(&msg.body);
    FUZZ_CHECK(m != nullptr && m->relay == j["relay"].get<std::string>());
  }
  if (type == "join") {
    const auto* m = std::get_if<cotab::wire::join_msg>(&msg.body);
    FUZZ_CHECK(m != nullptr && m->relay == j["relay"].get<std::string>());
    FUZZ_CHECK(within(m->code, payload));
    FUZZ_CHECK(m->code == j["code"].get<std::string>());
  }
  if (type == "send") {
    const auto* m = std::get_if<cotab::wire::send_msg>(&msg.body);
    FUZZ_CHECK(m != nullptr);
    FUZZ_CHECK(within(m->data, payload));
    FUZZ_CHECK(json::accept(m->data));
    shape_sax sax;
    FUZZ_CHECK(json::sax_parse(m->data, &sax));
    FUZZ_CHECK(sax.max_depth < limits::max_json_depth);  // the message's own object is one level
    FUZZ_CHECK(json::parse(m->data) == j["data"]);
  }
}

// Cuts `text` near the middle at a UTF-8 character boundary (text is valid UTF-8).
std::size_t char_boundary_near_middle(std::string_view text) {
  std::size_t cut = text.size() / 2;
  while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
  return cut;
}

void check_chunking(std::string_view text) {
  constexpr std::size_t budget = 300;
  const std::uint64_t chunk_id = ~std::uint64_t{0} - text.size();  // 20 digits: the widest envelope
  const std::size_t cut = char_boundary_near_middle(text);
  std::vector<std::string> frames;
  const std::size_t written = cotab::wire::write_chunked({text.substr(0, cut), text.substr(cut)}, chunk_id,
                                                         [&](std::string_view f) { frames.emplace_back(f); }, budget);
  FUZZ_CHECK(written == frames.size());
  FUZZ_CHECK(!frames.empty());
  for (const auto& f : frames) FUZZ_CHECK(f.size() <= budget);
  if (text.size() <= budget) {
    FUZZ_CHECK(frames.size() == 1 && frames[0] == text);
    return;
  }
  std::string joined;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    FUZZ_CHECK(json::accept(frames[i]));
    const json c = json::parse(frames[i]);
    FUZZ_CHECK(c.is_object() && c.size() == 5);
    FUZZ_CHECK(c.value("type", "") == "chunk");
    FUZZ_CHECK(c["id"].is_number_unsigned() && c["id"].get<std::uint64_t>() == chunk_id);
    FUZZ_CHECK(c["index"].is_number_unsigned() && c["index"].get<std::uint64_t>() == i);
    FUZZ_CHECK(c["count"].is_number_unsigned() && c["count"].get<std::uint64_t>() == frames.size());
    FUZZ_CHECK(c["part"].is_string() && !c["part"].get<std::string>().empty());
    joined += c["part"].get<std::string>();
  }
  FUZZ_CHECK(joined == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);

  // JSON text per RFC 8259. nlohmann::json::accept alone is not that: its lexer ends the input
  // at a NUL byte, accepting "1\0<any bytes>", and a NUL can appear nowhere in JSON text.
  const bool accepted = json::accept(payload) && payload.find('\0') == std::string_view::npos;
  shape_sax sax;
  if (accepted) FUZZ_CHECK(json::sax_parse(payload, &sax));
  const bool too_deep = accepted && sax.max_depth > limits::max_json_depth;

  // decode_ext_message against the reference.
  std::optional<std::uint64_t> id_out;
  auto decoded = cotab::wire::decode_ext_message(payload, &id_out);
  errc expected = errc::ok;
  bool join_escape_allowed = false;
  json j;
  if (!accepted) {
    expected = errc::bad_json;
  } else if (too_deep) {
    expected = errc::json_too_deep;
  } else {
    j = json::parse(payload);
    if (!j.is_object() || sax.duplicate_top_key) {
      expected = errc::bad_message;
    } else {
      expected = expected_for_object(j);
      join_escape_allowed = expected == errc::ok && j["type"] == "join";
    }
  }
  if (decoded) {
    FUZZ_CHECK(expected == errc::ok);
    check_decoded(payload, j, *decoded, id_out);
  } else if (join_escape_allowed) {
    FUZZ_CHECK(decoded.err().code == errc::bad_message);
    FUZZ_CHECK(payload.find('\\') != std::string_view::npos);
  } else {
    FUZZ_CHECK(decoded.err().code == expected);
  }

  // check_peer_data against the same reference.
  auto peer = cotab::wire::check_peer_data(payload);
  if (!accepted) {
    FUZZ_CHECK(!peer && peer.err().code == errc::protocol_violation);
  } else if (too_deep) {
    FUZZ_CHECK(!peer && peer.err().code == errc::json_too_deep);
  } else {
    FUZZ_CHECK(peer.has_value());
  }

  if (accepted) check_chunking(payload);
  return 0;
}
