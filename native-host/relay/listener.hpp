#pragma once
// Accepts TCP connections and walks each through TLS (if configured), one HTTP request, and
// either a plain HTTP answer (/healthz, 404, 503) or the WebSocket session on /v1.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"
#include "relay/shared_state.hpp"

namespace cotab::relay {

class listener {
 public:
  // `tls` may be null (plaintext, loopback only; config enforces that).
  listener(boost::asio::io_context& ioc, shared_state& state, std::shared_ptr<boost::asio::ssl::context> tls);

  // Binds and listens; returns the actual local endpoint (port 0 picks a free one).
  result<boost::asio::ip::tcp::endpoint> open(const std::string& address, std::uint16_t port);
  void start();  // runs the accept loop on the io_context
  void close();  // stops accepting

 private:
  boost::asio::io_context& ioc_;
  shared_state& state_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace cotab::relay
