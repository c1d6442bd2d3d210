#include "host/relay_connection.hpp"

#include <cstdlib>
#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "common/log.hpp"

namespace cotab::host {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

template <class WsStream>
class ws_connection final : public relay_connection, public std::enable_shared_from_this<ws_connection<WsStream>> {
 public:
  template <class... Args>
  ws_connection(const relay_url& url, std::size_t queue_limit, Args&&... args)
      : ws_(std::forward<Args>(args)...), url_(url), queue_limit_(queue_limit) {}

  asio::awaitable<result<void>> connect(std::chrono::milliseconds timeout) override {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp::resolver resolver(ws_.get_executor());
    auto [rec, resolved] = co_await resolver.async_resolve(url_.host, url_.port, tuple_awaitable);
    if (rec) co_return make_error(errc::relay_unreachable, "cannot resolve the relay host: " + rec.message());

    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : resolved) {
      // Never connect in plaintext to anything but loopback.
      if (!url_.tls && !is_loopback(entry.endpoint().address())) continue;
      endpoints.push_back(entry.endpoint());
    }
    if (endpoints.empty()) {
      co_return make_error(errc::insecure_relay, "a ws:// relay must be a loopback address; use wss://");
    }

    tcp_layer.expires_after(timeout);
    auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, tuple_awaitable);
    if (cec) {
      co_return cec == beast::error::timeout ? make_error(errc::handshake_timeout, "connecting to the relay timed out")
                                             : make_error(errc::relay_unreachable, "cannot connect to the relay: " + cec.message());
    }
    // Mirror batches flow one way, each a small frame: without TCP_NODELAY, Nagle holds a frame
    // until the previous one is acknowledged (a delayed ACK: up to 40 ms on Linux).
    beast::error_code nec;
    tcp_layer.socket().set_option(asio::ip::tcp::no_delay(true), nec);
    if (nec) log::warn("relay socket: cannot set TCP_NODELAY: " + nec.message());
    if constexpr (!std::is_same_v<typename WsStream::next_layer_type, beast::tcp_stream>) {
      auto& tls = ws_.next_layer();
      if (!SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
        co_return make_error(errc::relay_tls_failed, "cannot set the TLS server name");
      }
      tls.set_verify_mode(asio::ssl::verify_peer);
      tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      auto [tec] = co_await tls.async_handshake(asio::ssl::stream_base::client, tuple_awaitable);
      if (tec) {
        co_return tec == beast::error::timeout ? make_error(errc::handshake_timeout, "the TLS handshake timed out")
                                               : make_error(errc::relay_tls_failed, "TLS handshake with the relay failed: " + tec.message());
      }
    }
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "cotab-host/" COTAB_VERSION);
    }));
    std::string host_header = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    host_header += ":" + url_.port;
    auto [wec] = co_await ws_.async_handshake(host_header, url_.target, tuple_awaitable);
    if (wec) {
      co_return wec == beast::error::timeout ? make_error(errc::handshake_timeout, "the WebSocket upgrade timed out")
                                             : make_error(errc::relay_unreachable, "the relay refused the WebSocket upgrade: " + wec.message());
    }
    tcp_layer.expires_never();
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::client);
    ws_.set_option(opt);  // keep-alive pings; a silent relay is detected as relay-lost
    ws_.read_message_max(protocol::limits::relay_max_frame_bytes);
    ws_.auto_fragment(false);
    connected_ = true;
    co_return result<void>{};
  }

  asio::awaitable<result<relay_message>> read() override {
    buffer_.clear();
    auto [ec, n] = co_await ws_.async_read(buffer_, tuple_awaitable);
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        co_return make_error(errc::relay_frame_too_large, "the relay sent a message larger than relay_max_frame_bytes");
      }
      co_return make_error(errc::relay_lost, "the connection to the relay ended: " + ec.message());
    }
    relay_message m{ws_.got_text(), beast::buffers_to_string(buffer_.data())};
    if (buffer_.capacity() > 64 * 1024) buffer_ = beast::flat_buffer();  // don't pin big buffers while idle
    co_return m;
  }

  result<void> send(bool text, std::string bytes) override {
    if (closing_ || aborted_) return make_error(errc::wrong_state, "the relay connection is closing");
    if (queued_ + bytes.size() > queue_limit_) {
      return make_error(errc::send_queue_full, "more than host_send_queue_bytes waiting for the relay");
    }
    queued_ += bytes.size();
    queue_.push_back({text, std::move(bytes)});
    start_writing();
    return {};
  }

  void close_after_flush(std::function<void()> done) override {
    if (closing_ || aborted_ || !connected_) {
      if (!connected_ && !closing_) abort();
      if (done) asio::post(ws_.get_executor(), std::move(done));
      return;
    }
    closing_ = true;
    on_closed_ = std::move(done);
    start_writing();
  }

  void abort() override {
    if (aborted_) return;
    aborted_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
    if (on_closed_) asio::post(ws_.get_executor(), std::exchange(on_closed_, nullptr));
  }

  std::size_t queued_bytes() const override { return queued_; }

 private:
  void start_writing() {
    if (writing_ || !connected_) return;
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(this->shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> write_loop(std::shared_ptr<ws_connection> self) {
    while (!self->queue_.empty() && !self->aborted_) {
      auto& front = self->queue_.front();
      self->ws_.text(front.text);
      auto [ec, n] = co_await self->ws_.async_write(asio::buffer(front.bytes), tuple_awaitable);
      self->queued_ -= front.bytes.size();
      self->queue_.pop_front();
      if (ec) {
        self->queue_.clear();
        self->queued_ = 0;
        self->writing_ = false;
        co_return;  // the reader reports the failure
      }
    }
    if (self->closing_ && !self->aborted_ && self->queue_.empty()) {
      auto [ec] = co_await self->ws_.async_close(websocket::close_code::normal, tuple_awaitable);
      (void)ec;
      if (self->on_closed_) std::exchange(self->on_closed_, nullptr)();
    } else if (self->closing_ && self->on_closed_) {
      std::exchange(self->on_closed_, nullptr)();
    }
    self->writing_ = false;
  }

  struct pending {
    bool text;
    std::string bytes;
  };

  WsStream ws_;
  relay_url url_;
  std::size_t queue_limit_;
  beast::flat_buffer buffer_;
  std::deque<pending> queue_;
  std::size_t queued_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool aborted_ = false;
  bool connected_ = false;
  std::function<void()> on_closed_;
};

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

std::shared_ptr<relay_connection> make_relay_connection(asio::any_io_executor ex, const relay_url& url,
                                                        asio::ssl::context& tls, std::size_t queue_limit) {
  if (url.tls) return std::make_shared<ws_connection<tls_ws>>(url, queue_limit, ex, tls);
  return std::make_shared<ws_connection<plain_ws>>(url, queue_limit, ex);
}

asio::ssl::context make_client_tls_context() {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_default_verify_paths();
  if (const char* ca = std::getenv("COTAB_RELAY_CA_FILE"); ca != nullptr && *ca != '\0') {
    beast::error_code ec;
    ctx.load_verify_file(ca, ec);
    if (ec) log::warn(std::string("cannot load COTAB_RELAY_CA_FILE: ") + ec.message());
  }
  ctx.set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

}  // namespace cotab::host
