#include "wire/json_scan.hpp"

#include <cassert>

#include <nlohmann/json.hpp>

namespace cotab::wire {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// pos points at an opening quote; returns the index just past the closing quote.
std::size_t skip_string(std::string_view s, std::size_t pos) {
  assert(s[pos] == '"');
  ++pos;
  while (pos < s.size()) {
    char c = s[pos];
    if (c == '\\') {
      pos += 2;
    } else if (c == '"') {
      return pos + 1;
    } else {
      ++pos;
    }
  }
  return s.size();
}

// pos points at the first character of a value; returns the index just past it.
std::size_t skip_value(std::string_view s, std::size_t pos) {
  char c = s[pos];
  if (c == '"') return skip_string(s, pos);
  if (c == '{' || c == '[') {
    std::size_t depth = 0;
    while (pos < s.size()) {
      char d = s[pos];
      if (d == '"') {
        pos = skip_string(s, pos);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') {
        if (--depth == 0) return pos + 1;
      }
      ++pos;
    }
    return s.size();
  }
  while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && !is_space(s[pos])) ++pos;
  return pos;
}

std::size_t skip_space(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  return pos;
}

}  // namespace

std::size_t json_max_depth(std::string_view s) noexcept {
  std::size_t depth = 0, max_depth = 0;
  for (std::size_t pos = 0; pos < s.size();) {
    char c = s[pos];
    if (c == '"') {
      pos = skip_string(s, pos);
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
    ++pos;
  }
  return max_depth;
}

bool json_top_level_members(std::string_view s, std::vector<json_member>& out) {
  std::size_t pos = skip_space(s, 0);
  if (pos >= s.size() || s[pos] != '{') return false;
  pos = skip_space(s, pos + 1);
  if (pos < s.size() && s[pos] == '}') return true;
  while (pos < s.size()) {
    std::size_t key_end = skip_string(s, pos);
    std::string key = nlohmann::json::parse(s.substr(pos, key_end - pos)).get<std::string>();
    pos = skip_space(s, key_end);
    assert(pos < s.size() && s[pos] == ':');
    pos = skip_space(s, pos + 1);
    std::size_t value_end = skip_value(s, pos);
    out.push_back({std::move(key), s.substr(pos, value_end - pos)});
    pos = skip_space(s, value_end);
    if (pos >= s.size() || s[pos] == '}') break;
    pos = skip_space(s, pos + 1);  // past ','
  }
  return true;
}

bool json_valid(std::string_view text) noexcept {
  // nlohmann's lexer takes a NUL byte for the end of input (meant for C strings), so it accepts
  // "1\0<any bytes>". A NUL never appears in JSON text (inside strings it must be escaped).
  if (text.find('\0') != std::string_view::npos) return false;
  try {
    return nlohmann::json::accept(text.begin(), text.end());
  } catch (...) {
    return false;
  }
}

}  // namespace cotab::wire
