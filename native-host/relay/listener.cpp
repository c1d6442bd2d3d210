#include "relay/listener.hpp"

#include <boost/beast/ssl.hpp>

#include "common/log.hpp"
#include "relay/session.hpp"

namespace cotab::relay {
namespace {

using tcp = asio::ip::tcp;

template <class Stream>
asio::awaitable<void> send_http(Stream& stream, const http::request<http::empty_body>& req, http::status status,
                                std::string body) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "cotab-relay");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  co_await http::async_write(stream, res, use_tuple);
}

void shutdown_stream(beast::tcp_stream& s) {
  boost::system::error_code ignored;
  s.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> shutdown_stream_async(beast::tcp_stream& s) {
  shutdown_stream(s);
  co_return;
}

asio::awaitable<void> shutdown_stream_async(beast::ssl_stream<beast::tcp_stream>& s) {
  co_await s.async_shutdown(use_tuple);  // bounded by the tcp_stream deadline
}

// One HTTP request per connection (the answer says Connection: close), or a WebSocket upgrade.
template <class Stream>
asio::awaitable<void> serve_http(shared_state& state, Stream stream, std::string ip, shared_state::admission adm,
                                 clock::time_point deadline) {
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(8 * 1024);
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (ec) co_return;
  http::request<http::empty_body> req = parser.release();
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));

  if (websocket::is_upgrade(req)) {
    if (path != "/v1") {
      co_await send_http(stream, req, http::status::not_found, R"({"error":"not found"})");
    } else if (state.draining()) {
      co_await send_http(stream, req, http::status::service_unavailable, R"({"status":"draining"})");
    } else {
      // The WebSocket layer takes over timeouts from here (stream_base::timeout).
      beast::get_lowest_layer(stream).expires_never();
      auto session = std::make_shared<ws_session<Stream>>(state, std::move(stream), std::move(ip),
                                                          std::move(adm.slot), deadline, adm.over_limit);
      session->start(std::move(req));
      co_return;
    }
  } else if (path == "/healthz" && (req.method() == http::verb::get || req.method() == http::verb::head)) {
    co_await send_http(stream, req, state.draining() ? http::status::service_unavailable : http::status::ok,
                       state.health().dump());
  } else {
    co_await send_http(stream, req, http::status::not_found, R"({"error":"not found"})");
  }
  co_await shutdown_stream_async(stream);
}

asio::awaitable<void> handle_connection(shared_state& state, std::shared_ptr<asio::ssl::context> tls,
                                        tcp::socket socket) {
  auto adm = state.admit();
  if (!adm) co_return;  // far beyond the connection limit: drop without a word
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string ip = ec ? std::string("unknown") : remote.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);

  // handshake_timeout bounds everything up to the first control message: TCP/TLS handshake,
  // the HTTP upgrade request, and (in the session) the first allocate/claim.
  auto deadline = clock::now() + state.cfg().handshake_timeout;
  beast::tcp_stream stream(std::move(socket));
  stream.expires_at(deadline);
  if (tls) {
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), *tls);
    auto [hs] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (hs) co_return;
    co_await serve_http(state, std::move(tls_stream), std::move(ip), std::move(*adm), deadline);
  } else {
    co_await serve_http(state, std::move(stream), std::move(ip), std::move(*adm), deadline);
  }
}

}  // namespace

listener::listener(asio::io_context& ioc, shared_state& state, std::shared_ptr<asio::ssl::context> tls)
    : ioc_(ioc), state_(state), tls_(std::move(tls)), acceptor_(ioc) {}

result<tcp::endpoint> listener::open(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) return make_error(errc::internal, "bad listen address " + address);
  tcp::endpoint ep(addr, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(errc::internal, "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  auto local = acceptor_.local_endpoint(ec);
  if (ec) return make_error(errc::internal, "cannot read the listening address: " + ec.message());
  return local;
}

void listener::start() {
  asio::co_spawn(
      ioc_,
      [this]() -> asio::awaitable<void> {
        asio::steady_timer backoff(ioc_);
        for (;;) {
          auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
          if (ec) {
            if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
            // Out of descriptors or similar: log, wait a little instead of spinning.
            log::warn("accept failed: " + ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(use_tuple);
            continue;
          }
          asio::co_spawn(ioc_, handle_connection(state_, tls_, std::move(socket)), asio::detached);
        }
      },
      asio::detached);
}

void listener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

}  // namespace cotab::relay
