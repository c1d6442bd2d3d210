#pragma once
// Structural scanning of JSON text that nlohmann::json has ALREADY accepted as valid. Validation
// (grammar, UTF-8) is the library's job; this only finds where things are, so that a 20 MB
// `data` value can be forwarded as the very bytes the extension sent, without building a DOM.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cotab::wire {

struct json_member {
  std::string key;         // unescaped
  std::string_view value;  // the raw value text, a view into the scanned document
};

// Deepest nesting of arrays/objects in valid JSON text (a scalar document has depth 0).
std::size_t json_max_depth(std::string_view valid_json) noexcept;

// The members of a top-level object, in document order. Precondition: valid JSON. Returns false
// when the document is not an object.
bool json_top_level_members(std::string_view valid_json, std::vector<json_member>& out);

// Validates `text` as one JSON document (UTF-8 checked) without building a DOM.
bool json_valid(std::string_view text) noexcept;

}  // namespace cotab::wire
