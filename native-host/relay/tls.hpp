#pragma once
// The relay's TLS server context: TLS 1.2 and 1.3 only, certificate chain and key from PEM.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"

namespace cotab::relay {

// errc::internal with a readable message when a file cannot be loaded.
result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file);

}  // namespace cotab::relay
