#pragma once
// One WebSocket connection of the relay, as a template over the stream below the WebSocket:
// beast::tcp_stream (plaintext, loopback tests only) or beast::ssl_stream<beast::tcp_stream>.
//
// Shape (after Beast's chat-multi and awaitable examples): a read loop (a coroutine) and a
// callback-driven writer, both on the relay's single thread, sharing ownership of the session.
// One write is outstanding at a time; the queue behind it is BOUNDED by backpressure: while
// this session's queued bytes exceed watermark_bytes its partner's read loop stops reading (and
// resumes below watermark/2), and if the queue stays above the watermark for slow_consumer_timeout this
// session is dropped as a slow consumer.
//
// Phases: accepting (WS upgrade) -> control (waiting for allocate/claim) -> waiting (allocated,
// nameplate not yet claimed) -> paired (forwarding binary frames) -> closing (a last control
// message and the close frame are queued) -> ended. One deadline timer serves each phase in
// turn: handshake deadline, nameplate TTL, session maximum, and the hard stop while closing.
//
// Message sizes are enforced here rather than with Beast's read_message_max: Beast rejects an
// oversized frame from its header and closes with 1009 before the application can say why,
// while the wire contract promises {"type":"error","code":"relay-frame-too-large"} first.
#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "relay/shared_state.hpp"

namespace cotab::relay {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Control messages the relay sends.
inline std::string error_message(errc code, std::string_view message) {
  return nlohmann::json{{"type", "error"}, {"code", protocol::error_name(code)}, {"message", message}}.dump();
}
inline std::string closing_message(errc code) {
  return nlohmann::json{{"type", "closing"}, {"code", protocol::error_name(code)}}.dump();
}

template <class Stream>
class ws_session final : public peer, public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  ws_session(shared_state& state, Stream&& stream, std::string ip, connection_slot slot,
             clock::time_point handshake_deadline, bool refuse)
      : state_(state),
        ws_(std::move(stream)),
        ip_(std::move(ip)),
        slot_(std::move(slot)),
        id_(state.next_id()),
        refuse_(refuse),
        deadline_timer_(ws_.get_executor()),
        slow_timer_(ws_.get_executor()),
        drain_timer_(ws_.get_executor()),
        handshake_deadline_(handshake_deadline) {}

  ~ws_session() override { state_.remove_peer(id_); }

  void start(http::request<http::empty_body> req) {
    state_.add_peer(this->shared_from_this());
    arm_deadline(handshake_deadline_);
    asio::co_spawn(ws_.get_executor(), run(this->shared_from_this(), std::move(req)), asio::detached);
  }

  // peer
  std::uint64_t id() const noexcept override { return id_; }
  const std::string& ip() const noexcept override { return ip_; }

  void paired(std::shared_ptr<room> r, std::weak_ptr<peer> partner, role my_role) override {
    room_ = std::move(r);
    partner_ = std::move(partner);
    phase_ = phase::paired;
    enqueue_text(nlohmann::json{{"type", "paired"}, {"room", room_->id}, {"role", role_name(my_role)}}.dump());
    arm_deadline(clock::now() + state_.cfg().session_max);
  }

  void deliver(beast::flat_buffer message) override {
    if (phase_ != phase::paired) return;  // closing or gone: the frame has nowhere to go
    std::size_t size = message.size();
    queue_.push_back(outbound{outbound::binary, {}, std::move(message), websocket::close_code::none});
    add_queued(size);
    maybe_write();
  }

  bool above_watermark() const noexcept override { return queued_bytes_ > state_.cfg().watermark_bytes; }
  bool accepting_frames() const noexcept override { return phase_ == phase::paired; }

  asio::awaitable<void> wait_drained() override {
    // Only this session's partner waits here, so one timer is enough; it is cancelled when the
    // queue falls below watermark/2 or this session leaves the paired phase.
    drain_timer_.expires_at(clock::time_point::max());
    co_await drain_timer_.async_wait(use_tuple);
  }

  void peer_gone() override {
    if (phase_ != phase::paired) return;
    partner_.reset();
    begin_closing(nlohmann::json{{"type", "peer-gone"}}.dump(), websocket::close_code::normal, "peer-gone");
  }

  void nameplate_expired() override {
    if (phase_ != phase::waiting) return;
    begin_closing(closing_message(errc::handshake_timeout), websocket::close_code::normal, "nameplate-expired");
  }

  void shutdown() override {
    if (phase_ == phase::accepting) {
      end("relay-shutdown");
      return;
    }
    if (phase_ == phase::closing || phase_ == phase::ended) return;
    partner_.reset();
    begin_closing(closing_message(errc::relay_shutdown), websocket::close_code::going_away, "relay-shutdown");
  }

  void close_with(errc code) override {
    if (phase_ != phase::paired) return;
    partner_.reset();
    begin_closing(closing_message(code), websocket::close_code::normal, std::string(protocol::error_name(code)));
  }

 private:
  enum class phase { accepting, control, waiting, paired, closing, ended };

  struct outbound {
    enum kind_t { text, binary, close } kind;
    std::string text_data;
    beast::flat_buffer binary_data;
    websocket::close_code code;
    std::size_t size() const noexcept { return kind == text ? text_data.size() : kind == binary ? binary_data.size() : 0; }
  };

  // --- the two loops -------------------------------------------------------------------

  asio::awaitable<void> run(std::shared_ptr<ws_session> self, http::request<http::empty_body> req) {
    const config& cfg = state_.cfg();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg.handshake_timeout;  // upgrade response and close handshake
    t.idle_timeout = cfg.idle_timeout;            // pings at half of it; closes when nothing arrives
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "cotab-relay"); }));
    ws_.read_message_max(0);    // enforced per message in read_loop (see the file comment)
    ws_.auto_fragment(false);   // one frame per forwarded message, no write buffer
    auto [ec] = co_await ws_.async_accept(req, use_tuple);
    if (ec || phase_ == phase::ended) {
      end("websocket-handshake-failed");
      co_return;
    }
    phase_ = phase::control;
    // The read loop gets its own coroutine so this frame (and the upgrade request's headers)
    // is freed now rather than held for the life of the connection.
    maybe_write();
    if (refuse_) {
      fail(errc::relay_full, "the relay is at its connection limit");
      co_return;
    }
    asio::co_spawn(ws_.get_executor(), read_loop(self), asio::detached);
  }

  asio::awaitable<void> read_loop(std::shared_ptr<ws_session> self) {
    const config& cfg = state_.cfg();
    for (;;) {
      // Read one whole message, never more than the phase's limit (+1 chunk to detect it).
      bool too_big = false;
      for (;;) {
        std::size_t limit = phase_ == phase::paired ? cfg.max_frame_bytes : cfg.control_max_bytes;
        // Beast allocates the buffer for a read before data arrives, so an idle connection
        // waits with a small one; once a message has started, read in large chunks.
        std::size_t chunk = buffer_.size() == 0 ? 256 : 64 * 1024;
        chunk = std::min<std::size_t>(limit + 1 - std::min<std::size_t>(buffer_.size(), limit), chunk);
        auto [ec, n] = co_await ws_.async_read_some(buffer_, chunk, use_tuple);
        if (ec) {
          on_read_error(ec);
          co_return;
        }
        if (buffer_.size() > limit) {
          too_big = true;
          break;
        }
        if (ws_.is_message_done()) break;
      }
      if (phase_ == phase::ended) co_return;
      if (too_big) {
        buffer_ = beast::flat_buffer();
        fail(errc::relay_frame_too_large, "message larger than the relay's limit");
        co_return;
      }
      if (phase_ == phase::closing) {  // nothing more is relayed; keep reading for the close frame
        drop_buffer();
        continue;
      }
      if (phase_ == phase::paired) {
        if (ws_.got_text()) {
          drop_buffer();
          fail(errc::protocol_violation, "text frame after pairing");
          co_return;
        }
        auto partner = partner_.lock();
        if (!partner || !partner->accepting_frames()) {
          drop_buffer();
          continue;
        }
        partner->deliver(std::move(buffer_));
        buffer_ = beast::flat_buffer();  // moved-from: empty, no capacity; grows per message
        while (phase_ == phase::paired && partner->accepting_frames() && partner->above_watermark())
          co_await partner->wait_drained();
        continue;
      }
      if (!ws_.got_text()) {
        drop_buffer();
        fail(errc::protocol_violation, "binary frame before pairing");
        co_return;
      }
      std::string text = beast::buffers_to_string(buffer_.data());
      drop_buffer();
      handle_control(text);
      if (phase_ == phase::closing || phase_ == phase::ended) co_return;
    }
  }

  // The writer is not a coroutine: an idle connection then holds no writer frame and no
  // pending wait. maybe_write() starts the one outstanding write when there is something to
  // send; its completion pops the queue and starts the next (Beast chat-multi shape).
  void maybe_write() {
    if (writing_ || queue_.empty() || phase_ == phase::accepting || phase_ == phase::ended) return;
    outbound& item = queue_.front();
    writing_ = true;
    auto self = this->shared_from_this();
    if (item.kind == outbound::close) {
      ws_.async_close(item.code, [self](boost::system::error_code) {
        self->writing_ = false;
        self->end(self->closing_reason_);  // either way the connection is over
      });
      return;
    }
    ws_.text(item.kind == outbound::text);
    auto done = [self](boost::system::error_code ec, std::size_t) { self->on_write(ec); };
    if (item.kind == outbound::text) ws_.async_write(asio::buffer(item.text_data), std::move(done));
    else ws_.async_write(item.binary_data.data(), std::move(done));
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    if (ec || phase_ == phase::ended) {
      end(ec == beast::error::timeout ? "idle-timeout" : "connection-lost");
      return;
    }
    std::size_t size = queue_.front().size();
    queue_.pop_front();
    remove_queued(size);
    maybe_write();
  }

  // --- control messages ----------------------------------------------------------------

  void handle_control(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return fail(errc::protocol_violation, "control message is not a JSON object");
    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return fail(errc::protocol_violation, "control message has no type");
    const std::string& t = type->template get_ref<const std::string&>();
    if (t != "allocate" && t != "claim") return fail(errc::protocol_violation, "unknown control message type");
    if (phase_ != phase::control) return fail(errc::protocol_violation, "only one allocate or claim per connection");
    auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer()) return fail(errc::protocol_violation, "version missing");
    if (*version != protocol::limits::protocol_version) return fail(errc::version_mismatch, "this relay speaks version 1");

    if (t == "allocate") {
      auto plate = state_.allocate(*this);
      if (!plate) return fail(plate.err().code, plate.err().message);
      phase_ = phase::waiting;
      enqueue_text(nlohmann::json{{"type", "allocated"},
                                  {"nameplate", *plate},
                                  {"ttl_ms", state_.cfg().nameplate_ttl.count()}}
                       .dump());
      arm_deadline(clock::now() + state_.cfg().nameplate_ttl);
      return;
    }
    auto plate = j.find("nameplate");
    if (plate == j.end() || !plate->is_string()) return fail(errc::protocol_violation, "claim needs a nameplate string");
    auto claimed = state_.claim(this->shared_from_this(), plate->template get_ref<const std::string&>());
    if (!claimed) return fail(claimed.err().code, claimed.err().message);
  }

  // --- queue, closing, ending ----------------------------------------------------------

  void enqueue_text(std::string text) {
    std::size_t size = text.size();
    queue_.push_back(outbound{outbound::text, std::move(text), {}, websocket::close_code::none});
    add_queued(size);
    maybe_write();
  }

  void add_queued(std::size_t size) {
    queued_bytes_ += size;
    if (!slow_armed_ && above_watermark()) {
      slow_armed_ = true;
      auto gen = ++slow_gen_;
      slow_timer_.expires_after(state_.cfg().slow_consumer_timeout);
      slow_timer_.async_wait([weak = this->weak_from_this(), gen](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || gen != self->slow_gen_) return;
        self->on_slow_consumer();
      });
    }
  }

  void remove_queued(std::size_t size) {
    queued_bytes_ -= size;
    if (slow_armed_ && !above_watermark()) {
      slow_armed_ = false;
      ++slow_gen_;
      slow_timer_.cancel();
    }
    if (queued_bytes_ <= state_.cfg().watermark_bytes / 2) drain_timer_.cancel();
  }

  // Queue one last control message and the close frame after everything already queued.
  void begin_closing(std::string last_message, websocket::close_code code, std::string reason) {
    if (phase_ == phase::closing || phase_ == phase::ended) return;
    bool was_paired = phase_ == phase::paired;
    phase_ = phase::closing;
    closing_reason_ = std::move(reason);
    if (was_paired && room_) state_.end_room(*room_, closing_reason_);
    notify_partner();
    state_.release_nameplate(id_);
    drain_timer_.cancel();  // nothing more is accepted for us: let the partner's reader go on
    enqueue_text(std::move(last_message));
    queue_.push_back(outbound{outbound::close, {}, {}, code});
    maybe_write();
    // Hard stop: the close handshake has handshake_timeout (Beast), but a peer that reads
    // nothing could hold the queue ahead of it forever.
    arm_deadline(clock::now() + state_.cfg().handshake_timeout + state_.cfg().drain_timeout);
  }

  void fail(errc code, std::string_view message) {
    websocket::close_code cc = code == errc::relay_frame_too_large ? websocket::close_code::too_big
                               : code == errc::relay_full          ? websocket::close_code::try_again_later
                                                                   : websocket::close_code::policy_error;
    begin_closing(error_message(code, message), cc, std::string(protocol::error_name(code)));
  }

  void on_slow_consumer() {
    if (phase_ != phase::paired || !above_watermark()) return;
    // Whatever is not on the wire yet is dropped; the one write in flight cannot be recalled.
    std::size_t keep = writing_ ? 1 : 0;
    while (queue_.size() > keep) {
      queued_bytes_ -= queue_.back().size();
      queue_.pop_back();
    }
    begin_closing(closing_message(errc::slow_consumer), websocket::close_code::policy_error, "slow-consumer");
    // The consumer is not reading, so neither message will get through its full buffers:
    // give it a moment, then drop the connection.
    arm_deadline(clock::now() + std::min<clock::duration>(state_.cfg().handshake_timeout, std::chrono::milliseconds(200)));
  }

  void on_read_error(boost::system::error_code ec) {
    if (ec == websocket::error::closed) end(phase_ == phase::closing ? closing_reason_ : std::string("closed"));
    else if (ec == beast::error::timeout) end("idle-timeout");
    else end(phase_ == phase::closing ? closing_reason_ : std::string("connection-lost"));
  }

  void on_deadline() {
    switch (phase_) {
      case phase::accepting:
        end("handshake-timeout");
        break;
      case phase::control:
        begin_closing(closing_message(errc::handshake_timeout), websocket::close_code::normal, "handshake-timeout");
        break;
      case phase::waiting:
        state_.expire_nameplates();  // calls nameplate_expired() on us (and on any other late one)
        if (phase_ == phase::waiting) nameplate_expired();
        break;
      case phase::paired: {
        auto partner = partner_.lock();
        partner_.reset();
        begin_closing(closing_message(errc::session_timeout), websocket::close_code::normal, "session-timeout");
        if (partner) partner->close_with(errc::session_timeout);
        break;
      }
      case phase::closing:
        end(closing_reason_);
        break;
      case phase::ended:
        break;
    }
  }

  void arm_deadline(clock::time_point at) {
    auto gen = ++deadline_gen_;
    deadline_timer_.expires_at(at);
    deadline_timer_.async_wait([weak = this->weak_from_this(), gen](boost::system::error_code ec) {
      auto self = weak.lock();
      // A handler that was already queued when the timer was re-armed is stale: skip it.
      if (ec || !self || gen != self->deadline_gen_) return;
      self->on_deadline();
    });
  }

  void notify_partner() {
    if (auto partner = partner_.lock()) {
      partner_.reset();
      partner->peer_gone();
    }
    partner_.reset();
  }

  // The connection is over: release everything and close the socket (idempotent).
  void end(const std::string& reason) {
    if (phase_ == phase::ended) return;
    bool was_paired = phase_ == phase::paired;
    phase_ = phase::ended;
    if (was_paired && room_) state_.end_room(*room_, reason);
    notify_partner();
    state_.release_nameplate(id_);
    ++deadline_gen_;
    ++slow_gen_;
    deadline_timer_.cancel();
    slow_timer_.cancel();
    drain_timer_.cancel();
    // The write in flight (if any) still references its buffer until it completes.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
    queued_bytes_ = 0;
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void drop_buffer() {
    buffer_.consume(buffer_.size());
    buffer_.shrink_to_fit();  // idle connections hold no read buffer
  }

  shared_state& state_;
  websocket::stream<Stream> ws_;
  std::string ip_;
  connection_slot slot_;
  std::uint64_t id_;
  bool refuse_;
  phase phase_ = phase::accepting;
  beast::flat_buffer buffer_;
  std::list<outbound> queue_;  // unlike std::deque, allocates nothing while empty
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool slow_armed_ = false;
  std::uint64_t slow_gen_ = 0;
  std::uint64_t deadline_gen_ = 0;
  std::shared_ptr<room> room_;
  std::weak_ptr<peer> partner_;
  std::string closing_reason_;
  asio::steady_timer deadline_timer_;
  asio::steady_timer slow_timer_;
  asio::steady_timer drain_timer_;
  clock::time_point handshake_deadline_;
};

}  // namespace cotab::relay
