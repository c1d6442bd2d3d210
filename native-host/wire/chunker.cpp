#include "wire/chunker.hpp"

#include <cassert>
#include <vector>

namespace cotab::wire {
namespace {

// Bytes `c` takes inside a JSON string.
std::size_t escaped_size(unsigned char c) {
  switch (c) {
    case '"': case '\\': case '\b': case '\f': case '\n': case '\r': case '\t': return 2;
    default: return c < 0x20 ? 6 : 1;
  }
}

std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  return 4;
}

struct slice { std::size_t part, begin, end; };  // [begin, end) of parts[part]

// Room left for the part in a chunk frame after the envelope (generous for 20-digit numbers).
constexpr std::size_t kEnvelope = 128;

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::size_t write_chunked(std::initializer_list<std::string_view> parts, std::uint64_t chunk_id,
                          std::function<void(std::string_view)> const& sink, std::size_t budget) {
  assert(budget > kEnvelope + 8);
  std::size_t total = 0;
  for (auto p : parts) total += p.size();
  if (total <= budget) {
    std::string whole;
    whole.reserve(total);
    for (auto p : parts) whole += p;
    sink(whole);
    return 1;
  }

  // Pass 1: cut the text into runs whose escaped size fits, at character boundaries.
  const std::size_t room = budget - kEnvelope;
  std::vector<std::vector<slice>> chunks(1);
  std::size_t used = 0;
  std::size_t index = 0;
  for (auto p : parts) {
    std::size_t pos = 0;
    while (pos < p.size()) {
      auto lead = static_cast<unsigned char>(p[pos]);
      std::size_t n = utf8_length(lead);
      if (pos + n > p.size()) n = p.size() - pos;  // precondition says valid UTF-8; stay in bounds anyway
      std::size_t cost = n == 1 ? escaped_size(lead) : n;
      if (used + cost > room) {
        chunks.emplace_back();
        used = 0;
      }
      auto& current = chunks.back();
      if (!current.empty() && current.back().part == index && current.back().end == pos) {
        current.back().end = pos + n;
      } else {
        current.push_back({index, pos, pos + n});
      }
      used += cost;
      pos += n;
    }
    ++index;
  }

  // Pass 2: write each chunk frame.
  const std::string_view* part_list = parts.begin();
  const std::string head = "{\"type\":\"chunk\",\"id\":" + std::to_string(chunk_id) + ",\"index\":";
  const std::string count = std::to_string(chunks.size());
  std::string frame;
  frame.reserve(budget);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    frame.clear();
    frame += head;
    frame += std::to_string(i);
    frame += ",\"count\":";
    frame += count;
    frame += ",\"part\":\"";
    for (const auto& s : chunks[i]) append_json_escaped(frame, part_list[s.part].substr(s.begin, s.end - s.begin));
    frame += "\"}";
    assert(frame.size() <= budget);
    sink(frame);
  }
  return chunks.size();
}

}  // namespace cotab::wire
