// The loopback data channel (PROTOCOL.md §3.4) on real processes: two cotab-host processes
// through a real cotab-relay, each spoken to over native messaging as Chrome does, and over the
// channel by a Beast WebSocket client playing the extension (or an attacker).
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "harness.hpp"
#include "test_support.hpp"

using namespace cotab::testing;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COTAB_UNDER_ASAN 1
#endif
#endif
#ifndef COTAB_UNDER_ASAN
#define COTAB_UNDER_ASAN 0
#endif

namespace {

const std::string kOrigin = kDevOrigin.substr(0, kDevOrigin.size() - 1);  // without the final '/'

struct paired_hosts {
  relay_proc relay;
  host_proc customer;
  host_proc agent;
  explicit paired_hosts(std::vector<std::string> relay_args = {"--insecure-plaintext"}) : relay(std::move(relay_args)) {
    pair_hosts(customer, agent, relay.ws_url());
    REQUIRE_MESSAGE(agent.expect("peer"), agent.last_unexpected().dump());
    REQUIRE_MESSAGE(customer.expect("peer"), customer.last_unexpected().dump());
  }
};

struct offer {
  unsigned short port = 0;
  std::string token;
};

offer ask_channel(host_proc& h) {
  h.send({{"type", "channel"}});
  auto m = h.expect("channel");
  REQUIRE_MESSAGE(m, h.last_unexpected().dump());
  offer o;
  o.port = (*m)["port"].get<unsigned short>();
  o.token = (*m)["token"].get<std::string>();
  return o;
}

// A WebSocket client to the channel with the headers a caller chooses.
struct channel_client {
  boost::asio::io_context io;
  websocket::stream<tcp::socket> ws{io};
  websocket::response_type response;
  channel_client() { ws.read_message_max(64 << 20); }

  // Connects and upgrades; returns the upgrade's error (403 = refused) or success.
  beast::error_code connect(unsigned short port, const std::string& origin = kOrigin, std::string host = "",
                            const std::string& path = "/channel") {
    beast::error_code ec;
    ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return ec;
    if (host.empty()) host = "127.0.0.1:" + std::to_string(port);
    ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      if (!origin.empty()) req.set(beast::http::field::origin, origin);
    }));
    ws.handshake(response, host, path, ec);
    return ec;
  }
  void send(const std::string& text) {
    ws.text(true);
    ws.write(boost::asio::buffer(text));
  }
  // The next text message as JSON, or nullopt when the socket closed.
  std::optional<json> read() {
    beast::flat_buffer b;
    beast::error_code ec;
    ws.read(b, ec);
    if (ec) return std::nullopt;
    return json::parse(beast::buffers_to_string(b.data()));
  }
};

// The extension's side of the switch: connect with the token, see the host's channel-up, send ours.
void switch_to_channel(host_proc& h, channel_client& c, const offer& o) {
  REQUIRE(!c.connect(o.port));
  c.send(o.token);
  REQUIRE_MESSAGE(h.expect("channel-up"), h.last_unexpected().dump());
  h.send({{"type", "channel-up"}});
}

}  // namespace

TEST_CASE("channel: the offer is a port on 127.0.0.1 and a fresh 64-hex-digit token (channel_token_bytes)") {
  paired_hosts p;
  auto a = ask_channel(p.customer);
  auto b = ask_channel(p.agent);
  CHECK(a.port != 0);
  CHECK(a.token.size() == cotab::protocol::limits::channel_token_bytes * 2);
  CHECK(a.token.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a.token != b.token);
  // Nothing listens on the other addresses of the machine for it: only loopback was bound.
  boost::asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.2"), a.port}, ec);
  CHECK(ec);
}

TEST_CASE("channel: after the switch messages flow both ways on it, in order with what went natively before") {
  paired_hosts p;
  channel_client cc, ac;
  auto co = ask_channel(p.customer);
  auto ao = ask_channel(p.agent);
  switch_to_channel(p.agent, ac, ao);
  // The customer's first messages go natively; then, before its native channel-up barrier, more
  // on the channel, which the host must hold until the barrier.
  for (int i = 0; i < 5; ++i) p.customer.send({{"type", "send"}, {"data", {{"i", i}}}});
  REQUIRE(!cc.connect(co.port));
  cc.send(co.token);
  REQUIRE(p.customer.expect("channel-up"));
  for (int i = 5; i < 10; ++i) cc.send(json{{"type", "send"}, {"data", {{"i", i}}}}.dump());
  std::this_thread::sleep_for(50ms);  // the channel's messages are at the host before the native ones
  for (int i = 10; i < 15; ++i) p.customer.send({{"type", "send"}, {"data", {{"i", i}}}});  // native, before the barrier
  p.customer.send({{"type", "channel-up"}});
  for (int i = 15; i < 20; ++i) cc.send(json{{"type", "send"}, {"data", {{"i", i}}}}.dump());
  std::vector<int> got;
  while (got.size() < 20) {
    auto m = ac.read();
    REQUIRE(m);
    REQUIRE((*m)["type"] == "recv");
    got.push_back((*m)["data"]["i"].get<int>());
  }
  CHECK(got == std::vector<int>{0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19});
  // The other way, and a 20 MB message: whole on the channel, never chunked.
  std::string big(20 << 20, 'x');
  std::uint32_t seed = 5;
  fill_random_letters(big, seed);
  ac.send(json{{"type", "send"}, {"data", {{"big", big}}}}.dump());
  ac.send(json{{"type", "send"}, {"data", {{"after", 1}}}}.dump());
  auto m = cc.read();
  REQUIRE(m);
  CHECK((*m)["type"] == "recv");
  CHECK((*m)["data"]["big"] == big);
  m = cc.read();
  REQUIRE(m);
  CHECK((*m)["data"]["after"] == 1);
  // Nothing of the session came natively after the host's channel-up.
  CHECK(!p.customer.next(200ms));
  CHECK(!p.agent.next(200ms));
}

TEST_CASE("channel: end on the channel ends both; 'ended' comes on the channel, then it closes") {
  paired_hosts p;
  channel_client cc, ac;
  auto co = ask_channel(p.customer);
  auto ao = ask_channel(p.agent);
  switch_to_channel(p.customer, cc, co);
  switch_to_channel(p.agent, ac, ao);
  cc.send(R"({"type":"end"})");
  auto e = cc.read();
  REQUIRE(e);
  CHECK((*e)["type"] == "ended");
  CHECK((*e)["reason"] == "local-end");
  CHECK(!cc.read());  // closed by the host
  auto pe = ac.read();
  REQUIRE(pe);
  CHECK((*pe)["type"] == "ended");
  CHECK((*pe)["reason"] == "peer-ended");
  CHECK(!ac.read());
  // Both hosts are idle again and answer natively.
  p.customer.send({{"type", "hello"}});
  CHECK(p.customer.expect("hello"));
}

TEST_CASE("channel: a bad message on the channel gets the same error as natively and the session goes on") {
  paired_hosts p;
  channel_client cc;
  auto co = ask_channel(p.customer);
  switch_to_channel(p.customer, cc, co);
  cc.send("{not json");
  auto e = cc.read();
  REQUIRE(e);
  CHECK((*e)["code"] == "bad-json");
  CHECK((*e)["fatal"] == false);
  cc.send(R"({"type":"bogus","id":4})");
  e = cc.read();
  REQUIRE(e);
  CHECK((*e)["code"] == "unknown-type");
  CHECK((*e)["id"] == 4);
  cc.send(R"({"type":"send","data":{"still":"up"}})");
  auto m = p.agent.expect("recv");
  REQUIRE(m);
  CHECK((*m)["data"]["still"] == "up");
}

TEST_CASE("channel: a web page's Origin, a rebinding Host, another path or no token are refused; 3 refusals close it (channel_max_refusals)") {
  // threat: a web page (or a DNS-rebinding page) in the browser probing loopback ports, and
  // other local programs without the token, reaching a session's messages
  paired_hosts p;
  auto co = ask_channel(p.customer);
  {
    channel_client page;
    auto ec = page.connect(co.port, "https://evil.example");
    CHECK(ec);
    CHECK(page.response.result() == beast::http::status::forbidden);
  }
  {
    channel_client rebinding;  // the right Origin cannot be sent by a page; the Host is the tell
    auto ec = rebinding.connect(co.port, kOrigin, "evil.example:" + std::to_string(co.port));
    CHECK(ec);
    CHECK(rebinding.response.result() == beast::http::status::forbidden);
  }
  // Two refusals so far: the real extension still gets in.
  channel_client cc;
  switch_to_channel(p.customer, cc, co);
  cc.send(R"({"type":"send","data":1})");
  CHECK(p.agent.expect("recv"));
}

TEST_CASE("channel: wrong tokens are closed with 1008; after channel_max_refusals the host says channel-refused and stays native") {
  // threat: another local program guessing or replaying tokens
  paired_hosts p;
  auto co = ask_channel(p.customer);
  for (unsigned i = 0; i < cotab::protocol::limits::channel_max_refusals; ++i) {
    channel_client guess;
    REQUIRE(!guess.connect(co.port));
    std::string wrong = co.token;
    wrong[i] = wrong[i] == '0' ? '1' : '0';
    guess.send(i == 0 ? wrong : i == 1 ? co.token.substr(0, 63) : co.token + "0");
    CHECK(!guess.read());
    // A wrong token of the right length is a policy error; a longer one is cut off as too big.
    CHECK(guess.ws.reason().code == (i == 2 ? websocket::close_code::too_big : websocket::close_code::policy_error));
  }
  CHECK(p.customer.expect_error("channel-refused"));
  // The right token is of no use any more: the listener is closed.
  channel_client late;
  CHECK(late.connect(co.port));
  // The session is untouched, natively.
  p.customer.send({{"type", "send"}, {"data", {{"native", true}}}});
  auto m = p.agent.expect("recv");
  REQUIRE(m);
  CHECK((*m)["data"]["native"] == true);
}

TEST_CASE("channel: at most channel_max_refusals connections are served at once; one more is refused at accept") {
  // threat: a local program piling up silent connections (descriptors, memory) while the offer is open
  paired_hosts p;
  auto co = ask_channel(p.customer);
  std::vector<std::unique_ptr<channel_client>> idle;
  for (unsigned i = 0; i < cotab::protocol::limits::channel_max_refusals; ++i) {
    idle.push_back(std::make_unique<channel_client>());
    REQUIRE(!idle.back()->connect(co.port));  // upgraded, no token
  }
  channel_client one_more;
  CHECK(one_more.connect(co.port));  // closed before the upgrade: the first refusal
  // Two of the silent ones give up: the refusals reach the limit at once, not at the deadline.
  auto started = std::chrono::steady_clock::now();
  idle[0]->ws.next_layer().close();
  idle[1]->ws.next_layer().close();
  CHECK(p.customer.expect_error("channel-refused", 3s));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(cotab::protocol::limits::channel_accept_timeout_ms));
  p.customer.send({{"type", "send"}, {"data", 4}});
  CHECK(p.agent.expect("recv"));
}

TEST_CASE("channel: the token works once: after the switch nobody else can connect") {
  // threat: a local program racing the extension with a token it obtained later
  paired_hosts p;
  channel_client cc;
  auto co = ask_channel(p.customer);
  switch_to_channel(p.customer, cc, co);
  channel_client second;
  CHECK(second.connect(co.port));  // nothing listens any more
}

TEST_CASE("channel: no connection within channel_accept_timeout_ms is channel-refused; the session stays native") {
  paired_hosts p;
  auto started = std::chrono::steady_clock::now();
  (void)ask_channel(p.customer);
  // A connection that upgrades but never sends its token does not hold the offer open.
  channel_client idle;
  REQUIRE(!idle.connect(ask_channel(p.agent).port));
  CHECK(p.customer.expect_error("channel-refused", 15s));
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= std::chrono::milliseconds(cotab::protocol::limits::channel_accept_timeout_ms - 100));
  CHECK(p.agent.expect_error("channel-refused", 15s));
  p.agent.send({{"type", "send"}, {"data", 2}});
  CHECK(p.customer.expect("recv"));
}

TEST_CASE("channel: asked before peer, twice, or when COTAB_DATA_CHANNEL=off it is channel-refused, not fatal") {
  relay_proc relay;
  {
    host_proc h;
    h.send({{"type", "channel"}, {"id", 3}});
    auto e = h.expect("error");
    REQUIRE(e);
    CHECK((*e)["code"] == "channel-refused");
    CHECK((*e)["fatal"] == false);
    CHECK((*e)["id"] == 3);
  }
  {
    paired_hosts p;
    (void)ask_channel(p.customer);
    p.customer.send({{"type", "channel"}});
    CHECK(p.customer.expect_error("channel-refused"));
    p.customer.send({{"type", "channel-up"}});  // no channel up yet: wrong-state
    CHECK(p.customer.expect_error("wrong-state"));
  }
  ::setenv("COTAB_DATA_CHANNEL", "off", 1);
  host_proc customer, agent;
  ::unsetenv("COTAB_DATA_CHANNEL");
  pair_hosts(customer, agent, relay.ws_url());
  REQUIRE(agent.expect("peer"));
  REQUIRE(customer.expect("peer"));
  customer.send({{"type", "channel"}});
  CHECK(customer.expect_error("channel-refused"));
  CHECK(customer.last_unexpected()["message"].get<std::string>().find("COTAB_DATA_CHANNEL") != std::string::npos);
  customer.send({{"type", "send"}, {"data", 3}});
  CHECK(agent.expect("recv"));
}

TEST_CASE("channel: the channel closing mid-session is channel-lost (fatal) natively, and the peer learns it") {
  paired_hosts p;
  auto co = ask_channel(p.customer);
  {
    channel_client cc;
    switch_to_channel(p.customer, cc, co);
    cc.ws.close(websocket::close_code::normal);
  }
  CHECK(p.customer.expect_error("channel-lost"));
  CHECK(p.customer.last_unexpected()["fatal"] == true);
  auto ended = p.customer.expect("ended");
  REQUIRE(ended);
  CHECK((*ended)["reason"] == "channel-lost");
  auto peer = p.agent.expect("ended");
  REQUIRE(peer);
  CHECK((*peer)["reason"] == "peer-ended");
  CHECK((*peer)["peer_reason"] == "channel-lost");
}

TEST_CASE("channel: a binary or an oversized message (max_message_bytes + 1024) closes it with channel-lost") {
  // threat: a caller on the channel breaking its framing to desynchronize the session
  SUBCASE("binary") {
    paired_hosts p;
    channel_client cc;
    switch_to_channel(p.customer, cc, ask_channel(p.customer));
    cc.ws.binary(true);
    cc.ws.write(boost::asio::buffer(std::string("{}")));
    CHECK(p.customer.expect_error("channel-lost"));
  }
  SUBCASE("oversized") {
    paired_hosts p;
    channel_client cc;
    switch_to_channel(p.customer, cc, ask_channel(p.customer));
    std::string huge = R"({"type":"send","data":")" + std::string(cotab::protocol::limits::max_message_bytes + 1024, 'a') + "\"}";
    beast::error_code ec;
    cc.ws.text(true);
    cc.ws.write(boost::asio::buffer(huge), ec);  // the host may close before the last byte
    CHECK(p.customer.expect_error("channel-lost", 30s));
    CHECK(p.customer.last_unexpected()["message"].get<std::string>().find("max_message_bytes") != std::string::npos);
  }
}

std::size_t rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

TEST_CASE("channel: an extension that stops reading slows the sender down (channel_watermark_bytes); nothing is lost") {
  // threat: a stalled reader makes the host hold the peer's stream in memory without limit
  paired_hosts p({"--insecure-plaintext", "--slow-consumer-timeout-ms", "120000"});
  channel_client ac;
  switch_to_channel(p.agent, ac, ask_channel(p.agent));
  std::string blob(1 << 20, 'q');
  std::uint32_t seed = 9;
  std::vector<int> accepted;
  bool refused = false;
  for (int i = 0; i < 300 && !refused; ++i) {
    fill_random_letters(blob, seed);
    p.customer.send({{"type", "send"}, {"id", i}, {"data", {{"i", i}, {"blob", blob}}}});
    accepted.push_back(i);
    while (auto m = p.customer.next(i < 40 ? 1ms : 10ms)) {
      REQUIRE_MESSAGE((*m)["type"] == "error", m->dump());
      CHECK((*m)["code"] == "send-queue-full");
      std::erase(accepted, (*m)["id"].get<int>());
      refused = true;
    }
  }
  // Refusals of the last sends may still be on their way.
  while (auto m = p.customer.next(1s)) {
    REQUIRE_MESSAGE((*m)["type"] == "error", m->dump());
    std::erase(accepted, (*m)["id"].get<int>());
  }
  // The sender was told to wait: the agent's host stopped reading the relay. Without that it
  // would have taken all 300 MB in; what is in flight is the customer host's queue
  // (host_send_queue_bytes), the relay's and the channel's watermarks and the sockets' buffers.
  CHECK(refused);
  CHECK(accepted.size() < 160);
#if !defined(__SANITIZE_ADDRESS__) && !COTAB_UNDER_ASAN
  // (AddressSanitizer keeps freed memory in quarantine: RSS says nothing there.)
  CHECK(rss_kb(p.agent.process().pid()) < 96 * 1024);
#endif
  // The extension reads again: every accepted message arrives, in order.
  std::vector<int> got;
  while (got.size() < accepted.size()) {
    auto m = ac.read();
    REQUIRE(m);
    REQUIRE((*m)["type"] == "recv");
    got.push_back((*m)["data"]["i"].get<int>());
  }
  CHECK(got == accepted);
}
