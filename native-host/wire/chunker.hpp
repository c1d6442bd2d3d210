#pragma once
// Host -> extension messages larger than chunk_budget_bytes (Chrome kills the port above 1 MiB)
// are sent as a run of
//   {"type":"chunk","id":N,"index":i,"count":n,"part":"<a slice of the message's JSON text>"}
// frames, each at most the budget. The extension concatenates the parts of one id in index order
// and parses the result as the message. Slices never split a UTF-8 character.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cotab/protocol/generated.hpp"

namespace cotab::wire {

using frame_sink = std::function<void(std::string_view frame_payload)>;

// Writes the message whose JSON text is the concatenation of `parts` (each valid UTF-8) through
// `sink`: one frame when it fits `budget`, otherwise chunk frames tagged `chunk_id`. Returns the
// number of frames written.
std::size_t write_chunked(std::initializer_list<std::string_view> parts, std::uint64_t chunk_id, std::function<void(std::string_view)> const& sink,
                          std::size_t budget = protocol::limits::chunk_budget_bytes);

// Appends `text` to `out` as the contents of a JSON string (without the quotes).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace cotab::wire
