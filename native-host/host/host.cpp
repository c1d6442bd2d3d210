#include "host/host.hpp"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <zstd.h>

#include "common/log.hpp"
#include "wire/ext_message.hpp"

namespace cotab::host {
namespace asio = boost::asio;
using json = nlohmann::json;

struct host::session {
  explicit session(asio::io_context& io) : timer(io) {}
  std::optional<std::uint64_t> request_id;  // id of the share/join that started it
  crypto::role role = crypto::role::initiator;
  std::string relay_text;
  std::optional<crypto::session_code> code;
  std::shared_ptr<relay_connection> conn;
  std::optional<crypto::handshake> handshake;
  std::optional<peer_writer> writer;
  std::optional<peer_reader> reader;
  asio::steady_timer timer;
  bool done = false;
  bool channel_asked = false;
  std::shared_ptr<data_channel> channel;
};

namespace {

std::optional<std::string> string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool all_digits(const std::string& s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string to_bytes(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

}  // namespace

host::host(asio::io_context& io, extension_port& port, host_options options)
    : io_(io), port_(port), options_(options), tls_(make_client_tls_context()) {}

void host::send_status(const char* what) { port_.send({{"type", "status"}, {"state", what}}); }

void host::on_frame(wire::frame_event event) {
  if (event.what == wire::frame_event::kind::oversize) {
    port_.send_error(make_error(errc::frame_too_large, "frame of " + std::to_string(event.declared_size) +
                                                           " bytes exceeds max_inbound_frame_bytes; skipped"));
    return;
  }
  std::optional<std::uint64_t> id;
  auto decoded = wire::decode_ext_message(event.payload, &id);
  if (!decoded) {
    port_.send_error(decoded.err(), id);
    return;
  }
  id = decoded->id;
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, wire::hello_msg>) {
          json reply = {{"type", "hello"},
                        {"version", protocol::limits::protocol_version},
                        {"host", "cotab-host/" COTAB_VERSION},
                        {"limits",
                         {{"max_inbound_frame_bytes", protocol::limits::max_inbound_frame_bytes},
                          {"max_message_bytes", protocol::limits::max_message_bytes},
                          {"chunk_budget_bytes", protocol::limits::chunk_budget_bytes},
                          {"max_json_depth", protocol::limits::max_json_depth}}}};
          if (id) reply["id"] = *id;
          port_.send(reply);
        } else if constexpr (std::is_same_v<T, wire::share_msg>) {
          handle_share_or_join(id, std::move(body.relay), std::nullopt);
        } else if constexpr (std::is_same_v<T, wire::join_msg>) {
          handle_share_or_join(id, std::move(body.relay), body.code);
        } else if constexpr (std::is_same_v<T, wire::send_msg>) {
          handle_send(id, body.data);
        } else if constexpr (std::is_same_v<T, wire::channel_msg>) {
          handle_channel(id);
        } else if constexpr (std::is_same_v<T, wire::channel_up_msg>) {
          handle_channel_up(id);
        } else {
          handle_end(id);
        }
      },
      decoded->body);
  // A join frame held the secret code: wipe it now that it is in secure memory.
  if (std::holds_alternative<wire::join_msg>(decoded->body)) sodium_memzero(event.payload.data(), event.payload.size());
}

void host::handle_share_or_join(std::optional<std::uint64_t> id, std::string relay, std::optional<std::string_view> typed_code) {
  if (state_ != state::idle) {
    port_.send_error(make_error(errc::wrong_state, "a session is already running; end it first"), id);
    return;
  }
  auto url = parse_relay_url(relay);
  if (!url) {
    port_.send_error(url.err(), id);
    return;
  }
  auto s = std::make_shared<session>(io_);
  s->request_id = id;
  s->relay_text = relay;
  if (typed_code) {
    auto code = crypto::parse_code(*typed_code);
    if (!code) {
      port_.send_error(code.err(), id);
      return;
    }
    s->code.emplace(std::move(*code));
    s->role = crypto::role::responder;
  }
  s->conn = make_relay_connection(io_.get_executor(), *url, tls_, options_.send_queue_bytes + protocol::limits::fragment_bytes * 4);
  session_ = s;
  state_ = state::connecting;
  send_status("connecting");
  asio::co_spawn(io_, run_session(s), asio::detached);
}

asio::awaitable<void> host::run_session(std::shared_ptr<session> s) {
  auto connected = co_await s->conn->connect(options_.handshake_timeout);
  if (s->done) co_return;
  if (!connected) {
    finish(std::string(connected.err().name()), connected.err());
    co_return;
  }
  if (s->role == crypto::role::initiator) {
    state_ = state::allocating;
    (void)s->conn->send(true, json{{"type", "allocate"}, {"version", protocol::limits::protocol_version}}.dump());
  } else {
    state_ = state::claiming;
    (void)s->conn->send(true, json{{"type", "claim"}, {"version", protocol::limits::protocol_version}, {"nameplate", s->code->nameplate}}.dump());
  }
  for (;;) {
    // Backpressure from an extension that reads its data channel slowly, as stdout gives it.
    if (s->channel && s->channel->up()) {
      auto channel = s->channel;
      co_await channel->wait_writable();
      if (s->done) co_return;
    }
    auto message = co_await s->conn->read();
    if (s->done) co_return;
    if (!message) {
      // A relay that vanishes mid-session is relay-lost; before pairing it is the same to the user.
      finish(std::string(message.err().name()), message.err());
      co_return;
    }
    if (message->text) {
      on_relay_text(*s, message->bytes);
    } else {
      on_relay_binary(*s, message->bytes);
    }
    if (s->done) co_return;
  }
}

void host::on_relay_text(session& s, const std::string& text) {
  json m = json::parse(text, nullptr, false);
  auto type = m.is_object() ? string_field(m, "type") : std::nullopt;
  auto violation = [&](const std::string& why) { finish("protocol-violation", make_error(errc::protocol_violation, why)); };
  if (!type) return violation("relay sent a malformed control message");

  if (*type == "allocated" && state_ == state::allocating) {
    auto nameplate = string_field(m, "nameplate");
    if (!nameplate || !all_digits(*nameplate, 1, 6)) return violation("relay sent a bad nameplate");
    s.code.emplace(crypto::make_code(*nameplate));
    state_ = state::waiting;
    json reply = {{"type", "code"}, {"code", s.code->display()}, {"nameplate", *nameplate}};
    if (s.request_id) reply["id"] = *s.request_id;
    port_.send(reply);
    send_status("waiting");
  } else if (*type == "paired" && (state_ == state::waiting || state_ == state::claiming)) {
    auto room = string_field(m, "room");
    auto role = string_field(m, "role");
    const char* expected_role = s.role == crypto::role::initiator ? "initiator" : "responder";
    if (!room || room->size() != 32 || !role || *role != expected_role) return violation("relay sent a bad pairing");
    std::vector<std::uint8_t> sid(16);
    std::size_t bin_len = 0;
    if (sodium_hex2bin(sid.data(), sid.size(), room->data(), room->size(), nullptr, &bin_len, nullptr) != 0 || bin_len != 16) {
      return violation("relay sent a bad room id");
    }
    s.handshake.emplace(s.role, s.code->password, sid);
    state_ = state::handshaking;
    send_status("handshaking");
    if (s.role == crypto::role::initiator) (void)s.conn->send(false, to_bytes(s.handshake->start()));
    s.timer.expires_after(options_.handshake_timeout);
    s.timer.async_wait([this, weak = std::weak_ptr<session>(session_)](boost::system::error_code ec) {
      auto live = weak.lock();
      if (ec || !live || live->done || state_ != state::handshaking) return;
      (void)live->conn->send(false, to_bytes(crypto::abort_frame(errc::handshake_timeout)));
      finish("handshake-timeout", make_error(errc::handshake_timeout, "the key agreement did not complete in time"), true);
    });
  } else if (*type == "peer-gone") {
    finish("peer-lost", make_error(errc::peer_lost, "the other side disconnected without ending the session"));
  } else if (*type == "closing" || *type == "error") {
    auto code = string_field(m, "code");
    auto parsed = code ? protocol::parse_error_name(*code) : std::nullopt;
    errc e = parsed ? *parsed : errc::protocol_violation;
    auto message = string_field(m, "message").value_or("the relay ended the session: " + code.value_or("?"));
    finish(std::string(protocol::error_name(e)), make_error(e, message));
  } else {
    violation("unexpected relay control message '" + *type + "'");
  }
}

void host::on_relay_binary(session& s, const std::string& bytes) {
  auto frame = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (state_ == state::handshaking && s.handshake) {
    auto reply = s.handshake->on_frame(frame);
    if (!reply) {
      // Tell the peer why, unless it told us (an abort frame) or the peer is the problem anyway.
      bool from_peer_abort = !frame.empty() && frame[0] == 0x04;
      if (!from_peer_abort) (void)s.conn->send(false, to_bytes(crypto::abort_frame(reply.err().code)));
      finish(std::string(reply.err().name()), reply.err(), true);
      return;
    }
    if (!reply->empty()) (void)s.conn->send(false, to_bytes(*reply));
    if (s.handshake->confirmed()) on_confirmed(s);
    return;
  }
  if (state_ != state::active || !s.reader) {
    finish("protocol-violation", make_error(errc::protocol_violation, "peer frame in the wrong state"));
    return;
  }
  auto event = s.reader->on_frame(frame);
  if (!event) {
    finish(std::string(event.err().name()), event.err());
    return;
  }
  if (event->what == peer_reader::event::kind::message) {
    port_.send_recv(event->text);
  } else if (event->what == peer_reader::event::kind::end) {
    json ended = {{"type", "ended"}, {"reason", "peer-ended"}, {"peer_reason", event->text}};
    s.done = true;
    if (s.writer) (void)s.conn->send(false, to_bytes(s.writer->end_frame("peer-ended")));
    s.conn->close_after_flush();
    port_.send(ended);
    close_channel(s);
    session_.reset();
    state_ = state::idle;
  }
}

void host::on_confirmed(session& s) {
  s.timer.cancel();
  s.writer.emplace(s.handshake->stream_key(0, true), 0);
  s.reader.emplace(s.handshake->stream_key(0, false), 0);
  (void)s.conn->send(false, to_bytes(s.writer->header_frame()));
  json peer = {{"type", "peer"}, {"sas", s.handshake->sas()}, {"role", s.role == crypto::role::initiator ? "initiator" : "responder"}};
  if (s.request_id) peer["id"] = *s.request_id;
  s.handshake.reset();  // wipes the CPace secrets; the stream keys live on in writer/reader
  s.code.reset();
  state_ = state::active;
  port_.send(peer);
}

void host::handle_send(std::optional<std::uint64_t> id, std::string_view data) {
  if (state_ != state::active || !session_ || !session_->writer) {
    port_.send_error(make_error(errc::wrong_state, "no confirmed peer yet: wait for 'peer' before 'send'"), id);
    return;
  }
  auto& s = *session_;
  // Refuse before touching the streams: half a message would desynchronize zstd and secretstream.
  std::size_t worst = ZSTD_compressBound(data.size()) + (data.size() / protocol::limits::fragment_bytes + 1) * 64;
  if (s.conn->queued_bytes() + worst > options_.send_queue_bytes) {
    port_.send_error(make_error(errc::send_queue_full, "the relay is not keeping up; this message was not sent"), id);
    return;
  }
  s.writer->write_message(data, [&](std::vector<std::uint8_t>&& frame) {
    auto sent = s.conn->send(false, to_bytes(frame));
    (void)sent;  // capacity was reserved above
  });
}

void host::handle_end(std::optional<std::uint64_t> id) {
  if (state_ == state::idle || !session_) {
    json ended = {{"type", "ended"}, {"reason", "local-end"}};
    if (id) ended["id"] = *id;
    port_.send(ended);
    return;
  }
  finish("local-end", std::nullopt, true);
}

void host::finish(const std::string& reason, std::optional<error> failure, bool flush) {
  if (!session_) return;
  auto s = session_;
  session_.reset();
  s->done = true;
  s->timer.cancel();
  // Tell the peer the session is over (authenticated end record) when the stream is up.
  if (s->writer && state_ == state::active) {
    (void)s->conn->send(false, to_bytes(s->writer->end_frame(reason)));
    flush = true;
  }
  std::function<void()> on_closed;
  if (stdin_closed_) on_closed = [this] { io_.stop(); };
  if (flush) {
    s->conn->close_after_flush(std::move(on_closed));
  } else {
    s->conn->abort();
    if (on_closed) on_closed();
  }
  state_ = state::idle;
  if (failure) {
    port_.send_error(*failure, s->request_id, /*fatal=*/true);  // it ended the session
  }
  json ended = {{"type", "ended"}, {"reason", reason}};
  port_.send(ended);
  close_channel(*s);
}

void host::handle_channel(std::optional<std::uint64_t> id) {
  auto refuse = [&](const char* why) { port_.send_error(make_error(errc::channel_refused, why), id); };
  if (state_ != state::active || !session_) return refuse("the data channel is offered only once keys are confirmed ('peer')");
  auto s = session_;
  if (s->channel_asked) return refuse("the data channel was already asked for in this session");
  s->channel_asked = true;
  if (!options_.data_channel) return refuse("the data channel is turned off (COTAB_DATA_CHANNEL=off)");
  std::weak_ptr<session> weak = s;
  data_channel::events events;
  events.accepted = [this, weak] {
    auto live = weak.lock();
    if (!live || live != session_ || !live->channel) return;
    // The host's barrier: everything before it went on stdout, everything after goes on the channel.
    port_.send({{"type", "channel-up"}});
    port_.divert([channel = std::weak_ptr<data_channel>(live->channel)](std::string&& text) {
      if (auto c = channel.lock()) (void)c->send(std::move(text));
    });
  };
  events.message = [this, weak](std::string&& text) {
    auto live = weak.lock();
    if (!live || live != session_) return;
    on_frame(wire::frame_event{wire::frame_event::kind::frame, std::move(text), 0});
  };
  events.failed = [this, weak](error failure) {
    // Posted: a failure can be noticed in the middle of writing a message to the channel.
    asio::post(io_, [this, weak, failure = std::move(failure)]() mutable {
      auto live = weak.lock();
      if (live && live == session_) on_channel_failed(live, std::move(failure));
    });
  };
  auto channel = open_data_channel(io_.get_executor(), options_.extension_origin, std::move(events), options_.channel);
  if (!channel) {
    port_.send_error(channel.err(), id);
    return;
  }
  s->channel = std::move(*channel);
  auto offer = s->channel->offer_message();
  port_.send_secret(offer);
}

void host::handle_channel_up(std::optional<std::uint64_t> id) {
  if (!session_ || !session_->channel || !session_->channel->up()) {
    port_.send_error(make_error(errc::wrong_state, "'channel-up' before the host's channel-up"), id);
    return;
  }
  session_->channel->release_input();
}

void host::on_channel_failed(const std::shared_ptr<session>& s, error failure) {
  if (failure.code == errc::channel_lost) {
    // Messages in flight on the channel may be gone: end the session, saying so on stdout.
    port_.undivert();
    finish(std::string(failure.name()), failure, true);
    return;
  }
  s->channel.reset();
  port_.send_error(failure);
}

void host::close_channel(session& s) {
  port_.undivert();
  if (s.channel) s.channel->close();
  s.channel.reset();
}

void host::on_stdin_end(bool truncated) {
  stdin_closed_ = true;
  if (truncated) log::warn("stdin ended in the middle of a frame (frame-truncated)");
  if (!session_) {
    io_.stop();
    return;
  }
  // Tell the peer, flush, close; stop when the close completes. Chrome SIGKILLs a host ~2 s
  // after EOF, so a relay that does not answer the close gets at most 1 s.
  finish("local-end", std::nullopt, true);
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(1000));
  timer->async_wait([this, timer](boost::system::error_code) { io_.stop(); });
}

}  // namespace cotab::host
