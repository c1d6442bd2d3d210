#include "host/data_channel.hpp"

#include <sodium.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "common/log.hpp"

namespace cotab::host {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view channel_path = "/channel";
constexpr std::size_t token_hex_chars = protocol::limits::channel_token_bytes * 2;

class channel_impl final : public data_channel, public std::enable_shared_from_this<channel_impl> {
 public:
  channel_impl(asio::any_io_executor ex, std::string origin, events ev, data_channel_options options)
      : ex_(ex), acceptor_(ex), deadline_(ex), drained_(ex), origin_(std::move(origin)), events_(std::move(ev)), options_(options) {}

  result<void> listen() {
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::address_v4::loopback(), 0);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return make_error(errc::channel_refused, "cannot listen on 127.0.0.1: " + ec.message());
    // The token is hex digits in sodium memory: what the extension sends back is compared with
    // it as it is, in constant time.
    secure_bytes raw(protocol::limits::channel_token_bytes);
    randombytes_buf(raw.data(), raw.size());
    token_ = secure_bytes(token_hex_chars + 1);
    sodium_bin2hex(reinterpret_cast<char*>(token_.data()), token_.size(), raw.data(), raw.size());
    token_ = secure_bytes(token_.span().first(token_hex_chars));
    return {};
  }

  void start() {
    auto self = shared_from_this();
    deadline_.expires_after(options_.accept_timeout);
    deadline_.async_wait([self](boost::system::error_code ec) {
      if (ec || self->phase_ != phase::offered) return;
      self->refuse_all("no connection presented the channel token within channel_accept_timeout_ms");
    });
    asio::co_spawn(ex_, accept_loop(self), asio::detached);
  }

  secure_bytes offer_message() const override {
    std::string head = R"({"type":"channel","port":)" + std::to_string(port_) + R"(,"token":")";
    constexpr std::string_view tail = R"("})";
    secure_bytes out(head.size() + token_.size() + tail.size());
    auto* p = out.data();
    p = std::copy(head.begin(), head.end(), p);
    p = std::copy(token_.data(), token_.data() + token_.size(), p);
    std::copy(tail.begin(), tail.end(), p);
    return out;
  }

  bool up() const override { return phase_ == phase::up; }

  void release_input() override {
    if (released_) return;
    released_ = true;
    while (!held_.empty() && phase_ == phase::up) {
      std::string text = std::move(held_.front());
      held_.pop_front();
      events_.message(std::move(text));
    }
  }

  bool send(std::string text) override {
    if (phase_ != phase::up || closing_) return false;
    queued_ += text.size();
    queue_.push_back(std::move(text));
    start_writing();
    return true;
  }

  asio::awaitable<void> wait_writable() override {
    if (phase_ != phase::up || queued_ <= options_.watermark_bytes) co_return;
    auto self = shared_from_this();
    drained_.expires_at(asio::steady_timer::time_point::max());
    co_await drained_.async_wait(use_tuple);
  }

  void close() override {
    if (phase_ == phase::closed || closing_) return;
    stop_listening();
    if (phase_ != phase::up) {
      phase_ = phase::closed;
      return;
    }
    closing_ = true;
    start_writing();
  }

 private:
  enum class phase { offered, up, closed };
  using ws_stream = websocket::stream<beast::tcp_stream>;

  asio::awaitable<void> accept_loop(std::shared_ptr<channel_impl> self) {
    while (phase_ == phase::offered) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec || phase_ != phase::offered) co_return;
      // Connections that upgrade and then stay silent are held until their expiry: a local
      // program must not pile them up (descriptors, memory) while the offer is open.
      if (serving_ >= options_.max_refusals) {
        boost::system::error_code ignored;
        socket.close(ignored);
        refuse("more than channel_max_refusals connections at once");
        continue;
      }
      asio::co_spawn(ex_, serve(self, std::move(socket)), asio::detached);
    }
  }

  // One connection until it has shown the token or been refused. All of it within the offer's
  // deadline: the stream's expiry closes a connection that stalls.
  asio::awaitable<void> serve(std::shared_ptr<channel_impl> self, tcp::socket socket) {
    ++serving_;
    struct served {
      unsigned& n;
      ~served() { --n; }
    } counted{serving_};
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(options_.accept_timeout);
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(8 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (phase_ != phase::offered) co_return;
    if (rec) {
      refuse("the request could not be read: " + rec.message());
      co_return;
    }
    http::request<http::empty_body> req = parser.release();
    if (auto why = request_problem(req)) {
      http::response<http::string_body> res{http::status::forbidden, req.version()};
      res.set(http::field::server, "cotab-host");
      res.keep_alive(false);
      res.prepare_payload();
      co_await http::async_write(stream, res, use_tuple);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      if (phase_ == phase::offered) refuse(*why);
      co_return;
    }
    auto ws = std::make_shared<ws_stream>(std::move(stream));
    ws->read_message_max(token_hex_chars);
    ws->set_option(websocket::stream_base::decorator([](websocket::response_type& res) { res.set(http::field::server, "cotab-host"); }));
    auto [aec] = co_await ws->async_accept(req, use_tuple);
    if (phase_ != phase::offered) co_return;
    if (aec) {
      refuse("the WebSocket upgrade failed: " + aec.message());
      co_return;
    }
    beast::flat_buffer token;
    auto [tec, tn] = co_await ws->async_read(token, use_tuple);
    bool right = !tec && ws->got_text() && token.size() == token_hex_chars && phase_ == phase::offered &&
                 token_.equals(std::span(static_cast<const std::uint8_t*>(token.data().data()), token.size()));
    sodium_memzero(token.data().data(), token.size());
    if (!right) {
      if (phase_ != phase::offered) co_return;
      if (!tec) {
        co_await ws->async_close(websocket::close_reason(websocket::close_code::policy_error), use_tuple);
      }
      refuse(tec ? "no token: " + tec.message() : "a wrong token");
      co_return;
    }
    // Won: the token is spent, nobody else may connect.
    ws_ = std::move(ws);
    phase_ = phase::up;
    token_ = secure_bytes();
    stop_listening();
    beast::get_lowest_layer(*ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(1);  // the close handshake
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_->set_option(t);
    ws_->read_message_max(0);  // enforced in read_loop
    ws_->auto_fragment(false);
    ws_->text(true);
    beast::error_code nec;
    beast::get_lowest_layer(*ws_).socket().set_option(tcp::no_delay(true), nec);
    events_.accepted();
    if (phase_ == phase::up) co_await read_loop();
  }

  std::optional<std::string> request_problem(const http::request<http::empty_body>& req) const {
    if (!websocket::is_upgrade(req)) return "not a WebSocket upgrade";
    if (req.target() != channel_path) return "a request for another path";
    // DNS rebinding: a page that reached this port through a name of its own sends that name.
    if (req[http::field::host] != "127.0.0.1:" + std::to_string(port_)) return "a Host other than 127.0.0.1:<port>";
    // A web page's request carries the page's origin, which it cannot change.
    if (req[http::field::origin] != origin_) return "an Origin other than the extension's";
    return std::nullopt;
  }

  // Message sizes are enforced here rather than with Beast's read_message_max, which answers an
  // oversized frame with a close handshake that a writer busy sending the rest never completes.
  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    for (;;) {
      for (;;) {
        std::size_t chunk = buffer.size() == 0 ? 512 : 64 * 1024;
        auto [ec, n] = co_await ws_->async_read_some(buffer, chunk, use_tuple);
        if (phase_ != phase::up || closing_) co_return;
        if (ec) {
          lose("the data channel closed: " + ec.message());
          co_return;
        }
        if (buffer.size() > options_.max_message_bytes) {
          lose("a message larger than max_message_bytes + 1024 on the data channel");
          co_return;
        }
        if (ws_->is_message_done()) break;
      }
      if (!ws_->got_text()) {
        lose("a binary message on the data channel");
        co_return;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      if (buffer.capacity() > 64 * 1024) buffer = beast::flat_buffer();
      if (released_) {
        events_.message(std::move(text));
      } else {
        held_.push_back(std::move(text));
      }
    }
  }

  void start_writing() {
    if (writing_ || phase_ != phase::up) return;
    if (queue_.empty()) {
      if (closing_) finish_close();
      return;
    }
    writing_ = true;
    auto self = shared_from_this();
    ws_->async_write(asio::buffer(queue_.front()), [self](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->phase_ != phase::up) return;
      self->queued_ -= self->queue_.front().size();
      self->queue_.pop_front();
      if (self->queued_ <= self->options_.watermark_bytes / 2) self->drained_.cancel();
      if (ec) {
        if (self->closing_) {
          self->phase_ = phase::closed;
          return;
        }
        self->lose("writing to the data channel failed: " + ec.message());
        return;
      }
      self->start_writing();
    });
  }

  void finish_close() {
    phase_ = phase::closed;
    drained_.cancel();
    auto self = shared_from_this();
    ws_->async_close(websocket::close_code::normal, [self](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(*self->ws_).socket().close(ignored);
    });
  }

  void refuse(const std::string& why) {
    log::warn("data channel: refused a connection (" + why + ")");
    if (++refusals_ >= options_.max_refusals) refuse_all("channel_max_refusals connections were refused");
  }

  void refuse_all(const std::string& why) {
    if (phase_ != phase::offered) return;
    phase_ = phase::closed;
    token_ = secure_bytes();
    stop_listening();
    events_.failed(make_error(errc::channel_refused, why + "; the session stays on native messaging"));
  }

  void lose(const std::string& why) {
    if (phase_ != phase::up) return;
    phase_ = phase::closed;
    queue_.clear();
    held_.clear();
    drained_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
    events_.failed(make_error(errc::channel_lost, why));
  }

  void stop_listening() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    deadline_.cancel();
  }

  asio::any_io_executor ex_;
  tcp::acceptor acceptor_;
  asio::steady_timer deadline_;
  asio::steady_timer drained_;  // the relay read loop waits on it while the queue is above the watermark
  std::string origin_;
  events events_;
  data_channel_options options_;
  std::uint16_t port_ = 0;
  secure_bytes token_;
  phase phase_ = phase::offered;
  unsigned refusals_ = 0;
  unsigned serving_ = 0;  // connections in serve(), the winner included
  std::shared_ptr<ws_stream> ws_;
  bool released_ = false;
  std::deque<std::string> held_;
  std::deque<std::string> queue_;
  std::size_t queued_ = 0;
  bool writing_ = false;
  bool closing_ = false;
};

}  // namespace

result<std::shared_ptr<data_channel>> open_data_channel(asio::any_io_executor ex, std::string origin, data_channel::events events,
                                                        data_channel_options options) {
  auto channel = std::make_shared<channel_impl>(ex, std::move(origin), std::move(events), options);
  if (auto listening = channel->listen(); !listening) return std::move(listening).err();
  channel->start();
  return std::shared_ptr<data_channel>(channel);
}

}  // namespace cotab::host
