#pragma once
// Messages from the extension to the host (the host's contract; spec: shared/protocol/PROTOCOL.md,
// schema: shared/protocol/schemas/extension-to-host.schema.json). Decoding is strict: unknown
// members, duplicate members and wrong types are bad-message; an unknown `type` is unknown-type.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.hpp"

namespace cotab::wire {

struct hello_msg {};
struct share_msg { std::string relay; };
struct join_msg {
  std::string relay;
  std::string_view code;  // a view into the frame payload; the caller copies it into secure memory and wipes the payload
};
struct send_msg { std::string_view data; };  // raw JSON text of `data`, a view into the frame payload
struct end_msg {};
struct channel_msg {};     // asks for the loopback data channel (PROTOCOL.md §3.4)
struct channel_up_msg {};  // the extension's barrier: from now on it sends on the channel

using ext_body = std::variant<hello_msg, share_msg, join_msg, send_msg, end_msg, channel_msg, channel_up_msg>;

struct ext_message {
  std::optional<std::uint64_t> id;  // optional request id, echoed in replies and errors
  ext_body body;
};

// `payload` must outlive the returned views. Errors: bad-json, json-too-deep, bad-message,
// unknown-type, message-too-large. The request id (when it could be read) is put in `id_out` so
// even an error reply can be correlated.
result<ext_message> decode_ext_message(std::string_view payload, std::optional<std::uint64_t>* id_out = nullptr);

// Peer data received from the other host: must be one valid JSON value within the depth limit
// (the other host may be hostile). Errors: protocol-violation, json-too-deep.
result<void> check_peer_data(std::string_view data);

}  // namespace cotab::wire
