// cotab-relay end to end: the real binary (build/bin/cotab-relay) on 127.0.0.1 with short
// limits, driven by real Beast WebSocket clients and cpp-httplib. Each test names the wire rule
// (shared/protocol/relay.md) it checks; assertions are on error codes, never on messages.
#include <doctest/doctest.h>

#include <httplib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cotab/protocol/generated.hpp"
#include "process.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;
using cotab::testing::child_process;

namespace {

const std::string tls_dir = std::string(COTAB_SOURCE_DIR) + "/tests/data/tls/";

struct relay_process {
  child_process proc;
  unsigned short port = 0;

  static relay_process start(std::vector<std::string> extra = {}, bool tls = false) {
    std::vector<std::string> argv{std::string(COTAB_BIN_DIR) + "/cotab-relay", "--listen", "127.0.0.1:0"};
    if (tls) {
      argv.insert(argv.end(), {"--tls-cert", tls_dir + "relay.pem", "--tls-key", tls_dir + "relay.key"});
    } else {
      argv.push_back("--insecure-plaintext");
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    relay_process r;
    r.proc = child_process::spawn(argv);
    auto line = r.proc.read_line(10s);
    REQUIRE(line.has_value());
    REQUIRE(line->rfind("listening 127.0.0.1:", 0) == 0);
    r.port = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
    return r;
  }
};

struct message {
  beast::error_code ec;
  bool text = false;
  std::string data;
  json as_json() const { return json::parse(data); }
};

// A synchronous-looking WebSocket client; every operation runs its own io_context with a
// deadline, so a relay that misbehaves fails the test instead of hanging it.
template <bool Tls>
class ws_client {
 public:
  using next_layer = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  explicit ws_client(std::function<void(ssl::context&)> tune_tls = {}) : tls_ctx_(ssl::context::tls_client) {
    if constexpr (Tls) {
      tls_ctx_.load_verify_file(tls_dir + "ca.pem");
      tls_ctx_.set_verify_mode(ssl::verify_peer);
      if (tune_tls) tune_tls(tls_ctx_);
      ws_.emplace(ioc_, tls_ctx_);
    } else {
      ws_.emplace(ioc_);
    }
  }

  // The upgrade; `status` receives the HTTP status of the answer.
  beast::error_code connect(unsigned short port, const std::string& target = "/v1", unsigned* status = nullptr,
                            const std::string& host = "localhost") {
    beast::error_code result = asio::error::timed_out;
    auto& lowest = beast::get_lowest_layer(*ws_);
    lowest.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
      if (ec) {
        result = ec;
        return;
      }
      auto upgrade = [&] {
        ws_->async_handshake(response_, host + ":" + std::to_string(port), target,
                             [&](beast::error_code ec2) { result = ec2; });
      };
      if constexpr (Tls) {
        SSL_set_tlsext_host_name(ws_->next_layer().native_handle(), host.c_str());
        ws_->next_layer().set_verify_callback(ssl::host_name_verification(host));
        ws_->next_layer().async_handshake(ssl::stream_base::client, [&, upgrade](beast::error_code ec2) {
          if (ec2) result = ec2;
          else upgrade();
        });
      } else {
        upgrade();
      }
    });
    run(10s);
    if (status != nullptr) *status = response_.result_int();
    return result;
  }

  beast::error_code send_text(const std::string& text) { return write(text, true); }
  beast::error_code send_binary(const std::string& bytes) { return write(bytes, false); }
  beast::error_code send_json(const json& j) { return send_text(j.dump()); }

  message read(std::chrono::milliseconds timeout = 10s) {
    message m;
    m.ec = asio::error::timed_out;
    beast::flat_buffer buffer;
    ws_->async_read(buffer, [&](beast::error_code ec, std::size_t) {
      m.ec = ec;
      m.text = ws_->got_text();
      m.data = beast::buffers_to_string(buffer.data());
    });
    run(timeout);
    return m;
  }

  // The next message must be a text control message; returns it parsed.
  json read_json(std::chrono::milliseconds timeout = 10s) {
    auto m = read(timeout);
    REQUIRE_MESSAGE(!m.ec, m.ec.message());
    REQUIRE(m.text);
    return m.as_json();
  }

  // After an error or closing message the relay closes: the next read fails.
  void expect_closed(std::chrono::milliseconds timeout = 10s) {
    auto m = read(timeout);
    CHECK(m.ec);
    CHECK(m.ec != asio::error::timed_out);
  }

  void close() {
    ws_->async_close(websocket::close_code::normal, [](beast::error_code) {});
    run(5s);
  }

  websocket::stream<next_layer>& ws() { return *ws_; }
  asio::io_context& ioc() { return ioc_; }

 private:
  beast::error_code write(const std::string& data, bool text) {
    beast::error_code result = asio::error::timed_out;
    ws_->text(text);
    ws_->async_write(asio::buffer(data), [&](beast::error_code ec, std::size_t) { result = ec; });
    run(10s);
    return result;
  }

  // Runs until the pending operation completes; on timeout, kills the socket so the handler
  // still runs (with an error) before the stack frame that owns its state goes away.
  void run(std::chrono::milliseconds timeout) {
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!ioc_.stopped()) {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws_).socket().close(ignored);
      ioc_.restart();
      ioc_.run();
    }
  }

  asio::io_context ioc_;
  ssl::context tls_ctx_;
  std::optional<websocket::stream<next_layer>> ws_;
  websocket::response_type response_;
};

using client = ws_client<false>;
using tls_client = ws_client<true>;

const json allocate_msg = {{"type", "allocate"}, {"version", 1}};
json claim_msg(const std::string& nameplate) { return {{"type", "claim"}, {"version", 1}, {"nameplate", nameplate}}; }

template <bool Tls>
std::string allocate(ws_client<Tls>& c) {
  REQUIRE_FALSE(c.send_json(allocate_msg));
  auto a = c.read_json();
  REQUIRE(a["type"] == "allocated");
  return a["nameplate"].template get<std::string>();
}

struct paired_clients {
  std::unique_ptr<client> initiator, responder;
  std::string room;
};

paired_clients pair(unsigned short port) {
  paired_clients p{std::make_unique<client>(), std::make_unique<client>(), {}};
  REQUIRE_FALSE(p.initiator->connect(port));
  REQUIRE_FALSE(p.responder->connect(port));
  auto plate = allocate(*p.initiator);
  REQUIRE_FALSE(p.responder->send_json(claim_msg(plate)));
  auto r = p.responder->read_json();
  auto i = p.initiator->read_json();
  REQUIRE(r["type"] == "paired");
  REQUIRE(i["type"] == "paired");
  CHECK(r["role"] == "responder");
  CHECK(i["role"] == "initiator");
  CHECK(r["room"] == i["room"]);
  p.room = i["room"].get<std::string>();
  return p;
}

void expect_error(client& c, const char* code) {
  auto m = c.read_json();
  CHECK(m["type"] == "error");
  CHECK(m["code"] == code);
  c.expect_closed();
}

json healthz(unsigned short port, int* status = nullptr) {
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(5, 0);
  auto res = http.Get("/healthz");
  REQUIRE(res);
  if (status != nullptr) *status = res->status;
  CHECK(res->get_header_value("Content-Type") == "application/json");
  return json::parse(res->body);
}

// Waits for a relay-side state change that has no message of its own (seen through /healthz).
bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return predicate();
}

}  // namespace

TEST_CASE("relay: allocate gives a 4-digit nameplate and a claim pairs both sides in one room") {
  auto relay = relay_process::start();
  client a, b;
  REQUIRE_FALSE(a.connect(relay.port));
  REQUIRE_FALSE(b.connect(relay.port));
  REQUIRE_FALSE(a.send_json(allocate_msg));
  auto allocated = a.read_json();
  CHECK(allocated["type"] == "allocated");
  auto plate = allocated["nameplate"].get<std::string>();
  CHECK(plate.size() == 4);
  CHECK(std::stoi(plate) >= 1000);
  CHECK(allocated["ttl_ms"] == cotab::protocol::limits::nameplate_ttl_ms);
  CHECK(healthz(relay.port)["pending"] == 1);

  REQUIRE_FALSE(b.send_json(claim_msg(plate)));
  auto pb = b.read_json();
  auto pa = a.read_json();
  CHECK(pa == json{{"type", "paired"}, {"room", pa["room"]}, {"role", "initiator"}});
  CHECK(pb == json{{"type", "paired"}, {"room", pa["room"]}, {"role", "responder"}});
  auto room = pa["room"].get<std::string>();
  CHECK(room.size() == 32);
  CHECK(room.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto h = healthz(relay.port);
  CHECK(h["pending"] == 0);
  CHECK(h["sessions"] == 1);
}

TEST_CASE("relay: binary frames are forwarded unchanged and in order, both ways") {
  auto relay = relay_process::start();
  auto p = pair(relay.port);
  std::vector<std::string> frames;
  for (int i = 0; i < 50; ++i) frames.push_back(std::string(static_cast<std::size_t>(i * 997), static_cast<char>(i)));
  frames.push_back("");                                   // empty messages are messages too
  frames.push_back(std::string(1024 * 1024, '\xff'));     // exactly relay_max_frame_bytes
  for (const auto& f : frames) REQUIRE_FALSE(p.initiator->send_binary(f));
  for (const auto& f : frames) {
    auto m = p.responder->read();
    REQUIRE_FALSE(m.ec);
    CHECK_FALSE(m.text);
    CHECK(m.data == f);
  }
  REQUIRE_FALSE(p.responder->send_binary("reply \x00\x01"));
  auto back = p.initiator->read();
  REQUIRE_FALSE(back.ec);
  CHECK_FALSE(back.text);
  CHECK(back.data == "reply \x00\x01");
}

TEST_CASE("relay: when one side closes, the other gets its queued frames, then peer-gone, then a close") {
  auto relay = relay_process::start();
  auto p = pair(relay.port);
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(p.initiator->send_binary(std::string(10, static_cast<char>('a' + i))));
  p.initiator->close();
  for (int i = 0; i < 3; ++i) CHECK(p.responder->read().data == std::string(10, static_cast<char>('a' + i)));
  CHECK(p.responder->read_json() == json{{"type", "peer-gone"}});
  p.responder->expect_closed();
  CHECK(eventually([&] { return healthz(relay.port)["sessions"] == 0; }));
}

TEST_CASE("relay: claiming an unknown nameplate fails with nameplate-unknown and closes") {
  auto relay = relay_process::start();
  client a, guesser;
  REQUIRE_FALSE(a.connect(relay.port));
  auto plate = allocate(a);
  std::string wrong = plate == "1234" ? "4321" : "1234";
  REQUIRE_FALSE(guesser.connect(relay.port));
  REQUIRE_FALSE(guesser.send_json(claim_msg(wrong)));
  expect_error(guesser, "nameplate-unknown");
  // A wrong guess does not disturb the real nameplate.
  client b;
  REQUIRE_FALSE(b.connect(relay.port));
  REQUIRE_FALSE(b.send_json(claim_msg(plate)));
  CHECK(b.read_json()["type"] == "paired");
}

TEST_CASE("relay: a nameplate is burned by its first claim; a second claim fails") {
  auto relay = relay_process::start();
  auto p = pair(relay.port);
  (void)p;
  // Find the nameplate again: allocate one, claim it twice.
  client a, b, c;
  REQUIRE_FALSE(a.connect(relay.port));
  auto plate = allocate(a);
  REQUIRE_FALSE(b.connect(relay.port));
  REQUIRE_FALSE(b.send_json(claim_msg(plate)));
  CHECK(b.read_json()["type"] == "paired");
  REQUIRE_FALSE(c.connect(relay.port));
  REQUIRE_FALSE(c.send_json(claim_msg(plate)));
  expect_error(c, "nameplate-unknown");
}

TEST_CASE("relay: the allocator disconnecting frees its nameplate") {
  auto relay = relay_process::start();
  std::string plate;
  {
    client a;
    REQUIRE_FALSE(a.connect(relay.port));
    plate = allocate(a);
    a.close();
  }
  CHECK(eventually([&] { return healthz(relay.port)["pending"] == 0; }));
  client b;
  REQUIRE_FALSE(b.connect(relay.port));
  REQUIRE_FALSE(b.send_json(claim_msg(plate)));
  expect_error(b, "nameplate-unknown");
}

TEST_CASE("relay: claims beyond claims-per-minute from one address are rate-limited") {
  auto relay = relay_process::start({"--claims-per-minute", "2"});
  for (int i = 0; i < 2; ++i) {
    client c;
    REQUIRE_FALSE(c.connect(relay.port));
    REQUIRE_FALSE(c.send_json(claim_msg("1000")));
    expect_error(c, "nameplate-unknown");
  }
  client a, c;
  REQUIRE_FALSE(a.connect(relay.port));
  auto plate = allocate(a);
  REQUIRE_FALSE(c.connect(relay.port));
  REQUIRE_FALSE(c.send_json(claim_msg(plate)));  // even the right nameplate
  expect_error(c, "rate-limited");
}

TEST_CASE("relay: a message above max-frame-bytes gets relay-frame-too-large and the peer gets peer-gone") {
  auto relay = relay_process::start({"--max-frame-bytes", "65536"});
  auto p = pair(relay.port);
  REQUIRE_FALSE(p.initiator->send_binary(std::string(65536, 'x')));  // at the limit: fine
  CHECK(p.responder->read().data.size() == 65536);
  p.initiator->send_binary(std::string(65537, 'x'));
  auto m = p.initiator->read_json();
  CHECK(m["type"] == "error");
  CHECK(m["code"] == "relay-frame-too-large");
  p.initiator->expect_closed();
  CHECK(p.responder->read_json() == json{{"type", "peer-gone"}});
  p.responder->expect_closed();
}

TEST_CASE("relay: a control message above relay_control_max_bytes is refused") {
  auto relay = relay_process::start();
  client c;
  REQUIRE_FALSE(c.connect(relay.port));
  json big = allocate_msg;
  big["padding"] = std::string(cotab::protocol::limits::relay_control_max_bytes, ' ');
  c.send_json(big);
  expect_error(c, "relay-frame-too-large");
}

TEST_CASE("relay: a binary frame before pairing is a protocol-violation") {
  auto relay = relay_process::start();
  client c;
  REQUIRE_FALSE(c.connect(relay.port));
  REQUIRE_FALSE(c.send_binary("\x01\x02"));
  expect_error(c, "protocol-violation");

  client a;  // also while waiting for a claim
  REQUIRE_FALSE(a.connect(relay.port));
  allocate(a);
  REQUIRE_FALSE(a.send_binary("x"));
  expect_error(a, "protocol-violation");
  CHECK(eventually([&] { return healthz(relay.port)["pending"] == 0; }));
}

TEST_CASE("relay: a text frame after pairing is a protocol-violation and the peer gets peer-gone") {
  auto relay = relay_process::start();
  auto p = pair(relay.port);
  REQUIRE_FALSE(p.responder->send_json(allocate_msg));
  expect_error(*p.responder, "protocol-violation");
  CHECK(p.initiator->read_json() == json{{"type", "peer-gone"}});
}

TEST_CASE("relay: malformed or unknown control messages are protocol-violations") {
  auto relay = relay_process::start();
  for (const char* bad : {"not json", "[1,2]", "{}", R"({"type":"hello","version":1})", R"({"type":"allocate"})",
                          R"({"type":"allocate","version":"1"})", R"({"type":"claim","version":1})",
                          R"({"type":"claim","version":1,"nameplate":1234})", "{\"type\":\"allocate\",\"version\":1"}) {
    CAPTURE(bad);
    client c;
    REQUIRE_FALSE(c.connect(relay.port));
    REQUIRE_FALSE(c.send_text(bad));
    expect_error(c, "protocol-violation");
  }
}

TEST_CASE("relay: a second allocate or claim on one connection is a protocol-violation") {
  auto relay = relay_process::start();
  client a;
  REQUIRE_FALSE(a.connect(relay.port));
  allocate(a);
  REQUIRE_FALSE(a.send_json(allocate_msg));
  expect_error(a, "protocol-violation");
}

TEST_CASE("relay: a version other than 1 is a version-mismatch") {
  auto relay = relay_process::start();
  for (const json& msg : {json{{"type", "allocate"}, {"version", 2}}, json{{"type", "claim"}, {"version", 0}, {"nameplate", "1000"}}}) {
    client c;
    REQUIRE_FALSE(c.connect(relay.port));
    REQUIRE_FALSE(c.send_json(msg));
    expect_error(c, "version-mismatch");
  }
}

TEST_CASE("relay: no allocate or claim within handshake-timeout closes the connection") {
  auto relay = relay_process::start({"--handshake-timeout-ms", "300"});
  client c;
  REQUIRE_FALSE(c.connect(relay.port));
  CHECK(c.read_json() == json{{"type", "closing"}, {"code", "handshake-timeout"}});
  c.expect_closed();

  // The same deadline bounds a TCP connection that never sends its upgrade request.
  asio::io_context ioc;
  tcp::socket raw(ioc);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), relay.port));
  char byte;
  beast::error_code ec;
  auto start = std::chrono::steady_clock::now();
  raw.read_some(asio::buffer(&byte, 1), ec);  // returns when the relay closes
  CHECK(ec == asio::error::eof);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("relay: an unclaimed nameplate expires after nameplate-ttl and the allocator is closed") {
  auto relay = relay_process::start({"--nameplate-ttl-ms", "300"});
  client a;
  REQUIRE_FALSE(a.connect(relay.port));
  REQUIRE_FALSE(a.send_json(allocate_msg));
  auto allocated = a.read_json();
  CHECK(allocated["ttl_ms"] == 300);
  CHECK(a.read_json() == json{{"type", "closing"}, {"code", "handshake-timeout"}});
  a.expect_closed();
  client b;
  REQUIRE_FALSE(b.connect(relay.port));
  REQUIRE_FALSE(b.send_json(claim_msg(allocated["nameplate"].get<std::string>())));
  expect_error(b, "nameplate-unknown");
}

TEST_CASE("relay: a session longer than session-max gets session-timeout on both sides") {
  auto relay = relay_process::start({"--session-max-ms", "300"});
  auto p = pair(relay.port);
  CHECK(p.initiator->read_json() == json{{"type", "closing"}, {"code", "session-timeout"}});
  CHECK(p.responder->read_json() == json{{"type", "closing"}, {"code", "session-timeout"}});
  p.initiator->expect_closed();
  p.responder->expect_closed();
}

TEST_CASE("relay: a peer that answers no pings is dropped after idle-timeout and its partner gets peer-gone") {
  auto relay = relay_process::start({"--idle-timeout-ms", "400"});
  auto p = pair(relay.port);
  // The responder never reads again, so it never answers the relay's pings.
  CHECK(p.initiator->read_json() == json{{"type", "peer-gone"}});
}

TEST_CASE("relay: connections beyond max-connections get relay-full") {
  auto relay = relay_process::start({"--max-connections", "1"});
  client a, b;
  REQUIRE_FALSE(a.connect(relay.port));
  REQUIRE_FALSE(b.connect(relay.port));
  expect_error(b, "relay-full");
  REQUIRE_FALSE(a.send_json(allocate_msg));  // the first one works normally
  CHECK(a.read_json()["type"] == "allocated");
}

TEST_CASE("relay: /healthz reports counts; other paths are 404; WebSocket only on /v1") {
  auto relay = relay_process::start();
  int status = 0;
  auto h = healthz(relay.port, &status);
  CHECK(status == 200);
  CHECK(h == json{{"status", "ok"}, {"connections", 1}, {"pending", 0}, {"sessions", 0}});

  httplib::Client http("127.0.0.1", relay.port);
  auto other = http.Get("/");
  REQUIRE(other);
  CHECK(other->status == 404);
  auto v1 = http.Get("/v1");  // not an upgrade
  REQUIRE(v1);
  CHECK(v1->status == 404);

  client c;
  unsigned upgrade_status = 0;
  CHECK(c.connect(relay.port, "/v2", &upgrade_status));
  CHECK(upgrade_status == 404);
}

TEST_CASE("relay: a receiver that does not read throttles its sender and is dropped as a slow consumer") {
  auto relay = relay_process::start({"--watermark-bytes", "65536", "--slow-consumer-timeout-ms", "1000"});
  auto p = pair(relay.port);
  client& sender = *p.initiator;
  // The responder reads nothing. The sender writes as fast as it can while waiting for a
  // message from the relay; without backpressure it would write gigabytes in that second.
  const std::string frame(256 * 1024, 'x');
  const std::size_t give_up_after = 1024ull * 1024 * 1024;
  std::size_t written = 0;
  std::optional<message> got;
  beast::flat_buffer buffer;
  std::function<void()> write_next = [&] {
    sender.ws().binary(true);
    sender.ws().async_write(asio::buffer(frame), [&](beast::error_code ec, std::size_t n) {
      if (ec || got) return;
      written += n;
      if (written < give_up_after) write_next();
    });
  };
  write_next();
  sender.ws().async_read(buffer, [&](beast::error_code ec, std::size_t) {
    got = message{ec, sender.ws().got_text(), beast::buffers_to_string(buffer.data())};
    beast::get_lowest_layer(sender.ws()).close();  // abandon the blocked write
  });
  sender.ioc().restart();
  sender.ioc().run_for(30s);
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->ec);
  CHECK(got->as_json() == json{{"type", "peer-gone"}});
  MESSAGE("bytes accepted from the sender before the slow consumer was dropped: " << written);
  CHECK(written < 128ull * 1024 * 1024);  // bounded by socket buffers + watermark

  // The slow consumer finds its buffered frames, then the end (best effort: closing
  // slow-consumer, or just the close) within a bounded time.
  bool ended = false;
  for (int i = 0; i < 100000 && !ended; ++i) {
    auto m = p.responder->read(10s);
    REQUIRE(m.ec != asio::error::timed_out);
    if (m.ec) ended = true;
    else if (m.text) CHECK(m.as_json() == json{{"type", "closing"}, {"code", "slow-consumer"}});
  }
  CHECK(ended);
}

TEST_CASE("relay: SIGTERM drains: queued frames, then relay-shutdown, healthz says draining, exit 0") {
  auto relay = relay_process::start({"--drain-timeout-ms", "10000"});
  auto p = pair(relay.port);
  REQUIRE_FALSE(p.initiator->send_binary("last words"));
  CHECK(eventually([&] { return healthz(relay.port)["sessions"] == 1; }));
  // Make sure the frame is queued at the relay before the signal (the responder has not read).
  p.initiator->send_binary("x");
  relay.proc.signal(SIGTERM);
  // The initiator had nothing queued: its relay-shutdown proves the drain started. Neither
  // client has answered the close frame yet, so the relay is still up and draining.
  CHECK(p.initiator->read_json() == json{{"type", "closing"}, {"code", "relay-shutdown"}});
  int status = 0;
  auto h = healthz(relay.port, &status);
  CHECK(status == 503);
  CHECK(h["status"] == "draining");
  client late;  // no new sessions while draining
  unsigned upgrade_status = 0;
  CHECK(late.connect(relay.port, "/v1", &upgrade_status));
  CHECK(upgrade_status == 503);

  CHECK(p.responder->read().data == "last words");
  // "x" may or may not have been read by the relay before the signal.
  auto m = p.responder->read();
  if (!m.text) m = p.responder->read();
  CHECK(m.as_json() == json{{"type", "closing"}, {"code", "relay-shutdown"}});
  p.responder->expect_closed();
  p.initiator->expect_closed();
  auto exit_status = relay.proc.wait_for(10s);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
}

TEST_CASE("relay: SIGTERM exits 0 after drain-timeout even if a client never completes the close") {
  auto relay = relay_process::start({"--drain-timeout-ms", "300"});
  auto p = pair(relay.port);  // neither client reads again, so neither answers the close frame
  relay.proc.signal(SIGTERM);
  auto status = relay.proc.wait_for(5s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("relay: SIGTERM with no connections exits 0 at once") {
  auto relay = relay_process::start();
  relay.proc.signal(SIGTERM);
  auto status = relay.proc.wait_for(5s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("relay: TLS mode pairs and forwards over wss with the test certificate") {
  auto relay = relay_process::start({}, /*tls=*/true);
  tls_client a, b;
  REQUIRE_FALSE(a.connect(relay.port));
  REQUIRE_FALSE(b.connect(relay.port));
  auto plate = allocate(a);
  REQUIRE_FALSE(b.send_json(claim_msg(plate)));
  CHECK(b.read_json()["role"] == "responder");
  CHECK(a.read_json()["role"] == "initiator");
  REQUIRE_FALSE(a.send_binary(std::string(100000, 'z')));
  CHECK(b.read().data == std::string(100000, 'z'));
}

TEST_CASE("relay: TLS mode refuses plaintext, TLS 1.1 and an untrusted name") {
  auto relay = relay_process::start({}, /*tls=*/true);
  client plain;
  CHECK(plain.connect(relay.port));
  tls_client old([](ssl::context& ctx) { SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION); });
  CHECK(old.connect(relay.port));
  tls_client wrong_name;
  CHECK(wrong_name.connect(relay.port, "/v1", nullptr, "relay.example.com"));
  tls_client tls12([](ssl::context& ctx) { SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION); });
  CHECK_FALSE(tls12.connect(relay.port));
}

TEST_CASE("relay: refuses to start without TLS, with plaintext off loopback, or with a bad flag (exit 2)") {
  const std::string bin = std::string(COTAB_BIN_DIR) + "/cotab-relay";
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {bin},
           {bin, "--insecure-plaintext", "--listen", "0.0.0.0:0"},
           {bin, "--insecure-plaintext", "--no-such-flag"},
           {bin, "--insecure-plaintext", "--watermark-bytes", "lots"},
           {bin, "--tls-cert", tls_dir + "missing.pem", "--tls-key", tls_dir + "relay.key"}}) {
    auto proc = child_process::spawn(argv, {.capture_stderr = true});
    auto status = proc.wait_for(10s);
    REQUIRE(status.has_value());
    CHECK(*status == 2);
    CHECK_FALSE(proc.read_line(100ms).has_value());  // nothing on stdout
  }
}
