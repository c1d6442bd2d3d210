#include "relay/config.hpp"

#include <charconv>
#include <limits>

#include <boost/asio/ip/address.hpp>

namespace cotab::relay {
namespace {

bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// "ADDR:PORT", "[v6]:PORT"
bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
  std::string_view h, p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.find(':') != std::string_view::npos) return false;  // bare IPv6 needs brackets
  }
  std::uint64_t value = 0;
  if (!parse_u64(p, value) || value > 65535) return false;
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(h), ec);
  if (ec) return false;
  host.assign(h);
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string usage() {
  return "usage: cotab-relay (--tls-cert FILE --tls-key FILE | --insecure-plaintext) [options]\n"
         "  --listen ADDR:PORT              numeric address; [v6]:PORT; port 0 = any (default 127.0.0.1:0)\n"
         "  --tls-cert FILE --tls-key FILE  serve wss:// (TLS 1.2/1.3) with this PEM chain and key\n"
         "  --insecure-plaintext            serve ws:// without TLS; loopback addresses only (tests)\n"
         "limits (defaults from shared/protocol/limits.json):\n"
         "  --max-frame-bytes N  --watermark-bytes N  --slow-consumer-timeout-ms N\n"
         "  --handshake-timeout-ms N  --idle-timeout-ms N  --nameplate-ttl-ms N  --session-max-ms N\n"
         "  --claims-per-minute N  --max-connections N  --drain-timeout-ms N\n"
         "On ready, prints one line 'listening ADDR:PORT' to stdout; logs and audit go to stderr.\n";
}

bool is_loopback(std::string_view address) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  if (a.is_v4()) return a.to_v4().is_loopback();
  auto v6 = a.to_v6();
  if (v6.is_loopback()) return true;
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  return false;
}

parse_outcome parse_args(const std::vector<std::string>& args) {
  parse_outcome out;
  config& c = out.cfg;
  auto fail = [&](std::string m) {
    out.what = parse_outcome::action::fail;
    out.message = std::move(m);
    return out;
  };

  struct number_flag {
    std::string_view name;
    std::uint64_t* bytes;
    milliseconds* ms;
  };
  const number_flag numbers[] = {
      {"--max-frame-bytes", &c.max_frame_bytes, nullptr},
      {"--watermark-bytes", &c.watermark_bytes, nullptr},
      {"--slow-consumer-timeout-ms", nullptr, &c.slow_consumer_timeout},
      {"--handshake-timeout-ms", nullptr, &c.handshake_timeout},
      {"--idle-timeout-ms", nullptr, &c.idle_timeout},
      {"--nameplate-ttl-ms", nullptr, &c.nameplate_ttl},
      {"--session-max-ms", nullptr, &c.session_max},
      {"--claims-per-minute", &c.claims_per_minute, nullptr},
      {"--max-connections", &c.max_connections, nullptr},
      {"--drain-timeout-ms", nullptr, &c.drain_timeout},
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      inline_value.assign(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    auto value = [&](std::string& v) -> bool {
      if (has_inline) {
        v = inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (flag == "--help" || flag == "-h") {
      out.what = parse_outcome::action::help;
      return out;
    }
    if (flag == "--insecure-plaintext" && !has_inline) {
      c.insecure_plaintext = true;
      continue;
    }
    if (flag == "--listen") {
      if (!value(v) || !parse_listen(v, c.listen_host, c.listen_port))
        return fail("--listen needs a numeric ADDR:PORT (e.g. 127.0.0.1:8443 or [::1]:0)");
      continue;
    }
    if (flag == "--tls-cert" || flag == "--tls-key") {
      if (!value(v) || v.empty()) return fail(std::string(flag) + " needs a file name");
      (flag == "--tls-cert" ? c.tls_cert : c.tls_key) = v;
      continue;
    }
    bool matched = false;
    for (const auto& n : numbers) {
      if (flag != n.name) continue;
      matched = true;
      std::uint64_t number = 0;
      if (!value(v) || !parse_u64(v, number) || number == 0 ||
          number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 1000000))
        return fail(std::string(flag) + " needs a positive integer");
      if (n.bytes != nullptr) *n.bytes = number;
      else *n.ms = milliseconds(static_cast<milliseconds::rep>(number));
    }
    if (!matched) return fail("unknown argument: " + std::string(args[i]));
  }

  if (c.tls_cert.empty() != c.tls_key.empty()) return fail("--tls-cert and --tls-key go together");
  if (c.tls() && c.insecure_plaintext) return fail("choose either TLS (--tls-cert/--tls-key) or --insecure-plaintext, not both");
  if (!c.tls() && !c.insecure_plaintext)
    return fail("refusing to start without TLS: pass --tls-cert FILE --tls-key FILE (or --insecure-plaintext on a loopback address for tests)");
  if (c.insecure_plaintext && !is_loopback(c.listen_host))
    return fail("--insecure-plaintext is allowed only on a loopback address (127.0.0.0/8 or ::1), not " + c.listen_host);
  // The control phase reads at most control_max_bytes; a frame limit below it makes no sense.
  if (c.max_frame_bytes < c.control_max_bytes) c.control_max_bytes = c.max_frame_bytes;
  out.what = parse_outcome::action::run;
  return out;
}

}  // namespace cotab::relay
