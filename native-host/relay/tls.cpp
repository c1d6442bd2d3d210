#include "relay/tls.hpp"

#include <openssl/ssl.h>

namespace cotab::relay {

result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1)
    return make_error(errc::internal, "cannot restrict TLS versions");
  // Idle connections should not pin OpenSSL's ~34 KB of record buffers each.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return make_error(errc::internal, "cannot load TLS certificate chain " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return make_error(errc::internal, "cannot load TLS private key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1)
    return make_error(errc::internal, "TLS private key does not match the certificate");
  return ctx;
}

}  // namespace cotab::relay
