// Two real cotab-host processes through a real cotab-relay on 127.0.0.1, driven exactly as
// Chrome drives them: native-messaging frames on stdin/stdout.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>

#include <boost/beast/websocket.hpp>

#include "harness.hpp"
#include "test_support.hpp"

using namespace cotab::testing;

namespace {

struct paired {
  relay_proc relay;
  recording_proxy proxy{relay.port()};
  host_proc customer;
  host_proc agent;
  std::string code;
  std::string sas;

  // The hosts reach the relay through the recording proxy, so tests can read its traffic.
  explicit paired(std::vector<std::string> relay_args = {"--insecure-plaintext"}) : relay(std::move(relay_args)) {
    code = pair_hosts(customer, agent, proxy.ws_url());
    auto a = agent.expect("peer");
    auto c = customer.expect("peer");
    REQUIRE_MESSAGE(a, agent.last_unexpected().dump());
    REQUIRE_MESSAGE(c, customer.last_unexpected().dump());
    CHECK((*a)["sas"] == (*c)["sas"]);
    // The host's role is its CPace role (it ran share = initiator, join = responder); the app
    // role (customer or agent) is app.md's `hello`, since either side may start a session.
    CHECK((*c)["role"] == "initiator");
    CHECK((*a)["role"] == "responder");
    sas = (*c)["sas"].get<std::string>();
  }
};

std::string secret_digits(const std::string& code) {
  std::string digits;
  for (char ch : code) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  return digits.substr(digits.size() - 6);
}

}  // namespace

TEST_CASE("pipe: a session starts from the customer's code and both sides read the same SAS") {
  paired p;
  CHECK(p.sas.size() == 7);  // "123 456"
  auto hello = (p.customer.send({{"type", "hello"}, {"id", 1}}), p.customer.expect("hello"));
  REQUIRE(hello);
  CHECK((*hello)["version"] == 1);
  CHECK((*hello)["id"] == 1);
}

TEST_CASE("pipe: 1,000 messages including a 20 MB one arrive in order and intact, both ways") {
  paired p;
  std::string big(20 * 1000 * 1000, 'x');
  std::uint32_t x = 42;
  fill_random_letters(big, x);
  for (int i = 0; i < 1000; ++i) {
    json data = {{"seq", i}, {"text", "mutation " + std::to_string(i) + " \u00e9\u4e16"}};
    if (i == 500) data["blob"] = big;
    p.customer.send({{"type", "send"}, {"data", data}});
  }
  for (int i = 0; i < 1000; ++i) {
    auto m = p.agent.expect("recv", 60s);
    REQUIRE_MESSAGE(m, "message " << i << ": " << p.agent.last_unexpected().dump());
    REQUIRE((*m)["data"]["seq"] == i);
    CHECK((*m)["data"]["text"] == "mutation " + std::to_string(i) + " \u00e9\u4e16");
    if (i == 500) {
      REQUIRE((*m)["data"]["blob"].is_string());
      CHECK((*m)["data"]["blob"].get<std::string>() == big);
    }
  }
  // Chrome's 1 MiB cap on host->extension messages was never exceeded.
  CHECK(p.agent.largest_frame() <= cotab::protocol::limits::chunk_budget_bytes);
  // And the other direction.
  for (int i = 0; i < 50; ++i) p.agent.send({{"type", "send"}, {"data", {{"ack", i}}}});
  for (int i = 0; i < 50; ++i) {
    auto m = p.customer.expect("recv");
    REQUIRE(m);
    CHECK((*m)["data"]["ack"] == i);
  }
}

TEST_CASE("pipe: a canary sent as data, and the code's secret, never appear in the relay's traffic") {
  // threat: an honest-but-curious relay (or anyone on its network) reads the session
  paired p;
  const std::string canary = "CANARY-5f1c0e2b-do-not-leak";
  for (int i = 0; i < 20; ++i) p.customer.send({{"type", "send"}, {"data", {{"secret", canary}, {"i", i}}}});
  p.agent.send({{"type", "send"}, {"data", canary}});
  for (int i = 0; i < 20; ++i) REQUIRE(p.agent.expect("recv"));
  auto echo = p.customer.expect("recv");
  REQUIRE(echo);
  CHECK((*echo)["data"] == canary);
  std::string wire = p.proxy.recorded();
  CHECK(wire.size() > 1000);
  CHECK(wire.find(canary) == std::string::npos);
  CHECK(wire.find("CANARY") == std::string::npos);
  CHECK(wire.find(secret_digits(p.code)) == std::string::npos);  // the relay never learns the secret part
  CHECK(wire.find(p.sas) == std::string::npos);
}

TEST_CASE("pipe: a wrong code gives both sides bad-code and burns the nameplate") {
  // threat: an online attacker guesses the code; they get exactly one try per session
  relay_proc relay;
  host_proc customer, guesser;
  customer.send({{"type", "share"}, {"relay", relay.ws_url()}});
  auto code = customer.expect("code");
  REQUIRE(code);
  std::string right = (*code)["code"].get<std::string>();
  std::string wrong = right;
  wrong.back() = wrong.back() == '9' ? '0' : static_cast<char>(wrong.back() + 1);
  guesser.send({{"type", "join"}, {"relay", relay.ws_url()}, {"code", wrong}});
  CHECK_MESSAGE(guesser.expect_error("bad-code"), guesser.last_unexpected().dump());
  CHECK_MESSAGE(customer.expect_error("bad-code"), customer.last_unexpected().dump());
  CHECK(guesser.expect("ended"));
  CHECK(customer.expect("ended"));
  // The right code no longer works: the nameplate was burned by the failed attempt.
  host_proc late;
  late.send({{"type", "join"}, {"relay", relay.ws_url()}, {"code", right}});
  CHECK_MESSAGE(late.expect_error("nameplate-unknown"), late.last_unexpected().dump());
}

TEST_CASE("pipe: a malformed code is code-format, before anything is sent") {
  host_proc agent;
  agent.send({{"type", "join"}, {"relay", "ws://127.0.0.1:1/v1"}, {"code", "12-ab"}, {"id", 3}});
  auto e = agent.expect("error");
  REQUIRE(e);
  CHECK((*e)["code"] == "code-format");
  CHECK((*e)["id"] == 3);
  CHECK((*e)["fatal"] == false);
}

TEST_CASE("pipe: killing the relay gives both hosts relay-lost and ended, not a hang") {
  paired p;
  p.relay.process().signal(SIGKILL);
  for (auto* h : {&p.customer, &p.agent}) {
    CHECK_MESSAGE(h->expect_error("relay-lost"), h->last_unexpected().dump());
    auto ended = h->expect("ended");
    REQUIRE(ended);
    CHECK((*ended)["reason"] == "relay-lost");
  }
  // The host survives and can report on a new request.
  p.customer.send({{"type", "hello"}});
  CHECK(p.customer.expect("hello"));
}

TEST_CASE("pipe: end on one side ends both; the other side learns it was the peer") {
  paired p;
  p.customer.send({{"type", "end"}});
  auto mine = p.customer.expect("ended");
  REQUIRE(mine);
  CHECK((*mine)["reason"] == "local-end");
  auto theirs = p.agent.expect("ended");
  REQUIRE(theirs);
  CHECK((*theirs)["reason"] == "peer-ended");
  // Sending after the end is wrong-state, and a new session can start.
  p.agent.send({{"type", "send"}, {"data", 1}});
  CHECK(p.agent.expect_error("wrong-state"));
}

TEST_CASE("pipe: the browser closing the port (stdin EOF) ends the session for the peer and the host exits 0") {
  paired p;
  p.customer.close_stdin();
  CHECK(p.customer.wait() == 0);
  auto theirs = p.agent.expect("ended");
  REQUIRE(theirs);
  CHECK((*theirs)["reason"] == "peer-ended");
}

TEST_CASE("pipe: malformed JSON, unknown types, oversize and bad frames get error codes and the session keeps working") {
  paired p;
  p.customer.send_text("{not json");
  CHECK(p.customer.expect_error("bad-json"));
  p.customer.send_text(R"({"type":"format-disk"})");
  CHECK(p.customer.expect_error("unknown-type"));
  p.customer.send_text(R"({"type":"send"})");
  CHECK(p.customer.expect_error("bad-message"));
  p.customer.send_text(std::string(100, '[') + std::string(100, ']'));
  CHECK(p.customer.expect_error("json-too-deep"));
  p.customer.send_text("\xff\xfe");
  CHECK(p.customer.expect_error("bad-json"));
  // A length prefix above max_inbound_frame_bytes: reported, its body skipped, stream in sync.
  std::uint32_t too_big = static_cast<std::uint32_t>(cotab::protocol::limits::max_inbound_frame_bytes) + 1;
  std::string prefix(4, '\0');
  std::memcpy(prefix.data(), &too_big, 4);
  p.customer.send_raw(prefix);
  CHECK(p.customer.expect_error("frame-too-large"));
  std::string skipped(too_big, ' ');
  p.customer.send_raw(skipped);
  // Nothing was lost: the session still delivers.
  p.customer.send({{"type", "send"}, {"data", "still here"}});
  auto m = p.agent.expect("recv");
  REQUIRE(m);
  CHECK((*m)["data"] == "still here");
}

TEST_CASE("pipe: stdin ending inside a frame (truncated) shuts the host down cleanly") {
  paired p;
  p.customer.send_raw(std::string("\x10\x00\x00\x00{\"type\"", 11));
  p.customer.close_stdin();
  CHECK(p.customer.wait() == 0);
  auto theirs = p.agent.expect("ended");
  REQUIRE(theirs);
  CHECK((*theirs)["reason"] == "peer-ended");
}

TEST_CASE("pipe: only the allowed extension may start the host") {
  // threat: another extension (or a page via a compromised extension) drives cotab-host
  host_proc intruder("chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/");
  auto e = intruder.expect("error");
  REQUIRE(e);
  CHECK((*e)["code"] == "origin-not-allowed");
  CHECK(intruder.wait() == 1);
}

TEST_CASE("pipe: plaintext to a non-loopback relay is refused with insecure-relay") {
  // threat: session traffic (and the nameplate) leaking in clear text over a real network
  host_proc customer;
  customer.send({{"type", "share"}, {"relay", "ws://192.0.2.1:80/v1"}});
  CHECK_MESSAGE(customer.expect_error("insecure-relay"), customer.last_unexpected().dump());
  customer.send({{"type", "share"}, {"relay", "http://127.0.0.1/"}});
  CHECK(customer.expect("ended"));
  CHECK(customer.expect_error("bad-relay-url"));
}

TEST_CASE("pipe: an unreachable relay is relay-unreachable") {
  host_proc customer;
  // A port nothing listens on: bind and close one to find it.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  a.close();
  customer.send({{"type", "share"}, {"relay", "ws://127.0.0.1:" + std::to_string(port) + "/v1"}});
  CHECK(customer.expect_error("relay-unreachable"));
}

TEST_CASE("pipe: relay SIGTERM drains: both hosts get relay-shutdown") {
  paired p;
  p.relay.process().signal(SIGTERM);
  for (auto* h : {&p.customer, &p.agent}) {
    CHECK_MESSAGE(h->expect_error("relay-shutdown"), h->last_unexpected().dump());
    CHECK(h->expect("ended"));
  }
  CHECK(p.relay.process().wait() == 0);
}

TEST_CASE("pipe: a consumer that stops reading is disconnected per the relay's slow-consumer limit") {
  // threat: one slow or malicious side makes the relay buffer without bound
  paired p({"--insecure-plaintext", "--watermark-bytes", "262144", "--slow-consumer-timeout-ms", "1500"});
  // The agent's "extension" stops reading: its host blocks on stdout, stops reading the relay,
  // the relay's queue for it fills, the relay stops reading the customer, then drops the agent.
  // Fresh random text per message: a repeated blob would compress to nothing against the stream's history.
  std::string blob(1 << 20, 'y');
  std::uint32_t x = 5;
  bool customer_told = false;
  for (int i = 0; i < 200 && !customer_told; ++i) {
    fill_random_letters(blob, x);
    p.customer.send({{"type", "send"}, {"data", {{"i", i}, {"blob", blob}}}});
    // Drain the customer's output without blocking, looking for the end of the session.
    while (auto m = p.customer.next(10ms)) {
      if ((*m)["type"] == "ended") customer_told = true;
    }
  }
  while (!customer_told) {
    auto m = p.customer.next(30s);  // errors (peer-lost, send-queue-full) come first; look for the end
    if (!m) break;
    customer_told = (*m)["type"] == "ended";
  }
  CHECK(customer_told);
  // The agent's host, once its extension reads again, learns why.
  bool agent_told = false;
  for (int i = 0; i < 400 && !agent_told; ++i) {
    auto m = p.agent.next(20s);
    if (!m) break;
    if ((*m)["type"] == "error") agent_told = (*m)["code"] == "slow-consumer" || (*m)["code"] == "relay-lost";
  }
  CHECK(agent_told);
}

TEST_CASE("pipe: TLS relay with a test certificate works, and an untrusted certificate is relay-tls-failed") {
  std::string tls_dir = std::string(COTAB_SOURCE_DIR) + "/tests/data/tls";
  relay_proc relay({"--tls-cert", tls_dir + "/relay.pem", "--tls-key", tls_dir + "/relay.key"});
  std::string url = "wss://127.0.0.1:" + std::to_string(relay.port()) + "/v1";
  {
    host_proc untrusting;  // no test CA: the certificate must be refused
    untrusting.send({{"type", "share"}, {"relay", url}});
    CHECK_MESSAGE(untrusting.expect_error("relay-tls-failed"), untrusting.last_unexpected().dump());
  }
  ::setenv("COTAB_RELAY_CA_FILE", (tls_dir + "/ca.pem").c_str(), 1);
  host_proc customer, agent;
  ::unsetenv("COTAB_RELAY_CA_FILE");
  pair_hosts(customer, agent, url);
  REQUIRE_MESSAGE(agent.expect("peer"), agent.last_unexpected().dump());
  REQUIRE(customer.expect("peer"));
  customer.send({{"type", "send"}, {"data", {{"over", "tls"}}}});
  auto m = agent.expect("recv");
  REQUIRE(m);
  CHECK((*m)["data"]["over"] == "tls");
}

TEST_CASE("pipe: a peer that never answers the key agreement gives handshake-timeout (host_handshake_timeout_ms)") {
  // threat: a claimer (or a relay) that stalls the handshake to hold the customer's session open
  relay_proc relay;
  host_proc customer;
  customer.send({{"type", "share"}, {"relay", relay.ws_url()}});
  auto code = customer.expect("code");
  REQUIRE(code);
  // A bare WebSocket client claims the nameplate and then stays silent.
  boost::asio::io_context io;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), relay.port()});
  ws.handshake("127.0.0.1", "/v1");
  ws.write(boost::asio::buffer(json{{"type", "claim"}, {"version", 1}, {"nameplate", (*code)["nameplate"]}}.dump()));
  auto started = std::chrono::steady_clock::now();
  CHECK_MESSAGE(customer.expect_error("handshake-timeout", 45s), customer.last_unexpected().dump());
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= std::chrono::milliseconds(cotab::protocol::limits::host_handshake_timeout_ms - 1000));
  auto ended = customer.expect("ended");
  REQUIRE(ended);
  CHECK((*ended)["reason"] == "handshake-timeout");
}

TEST_CASE("pipe: when the relay stops taking data, sends beyond host_send_queue_bytes are refused, not buffered without bound") {
  // threat: a stalled path makes the host buffer the extension's stream without limit
  paired p({"--insecure-plaintext", "--watermark-bytes", "65536", "--slow-consumer-timeout-ms", "120000"});
  std::string blob(1 << 20, 'y');
  std::uint32_t x = 77;
  bool refused = false;
  for (int i = 0; i < 400 && !refused; ++i) {
    fill_random_letters(blob, x);
    p.customer.send({{"type", "send"}, {"data", {{"i", i}, {"blob", blob}}}});
    while (auto m = p.customer.next(i < 60 ? 1ms : 20ms)) {
      if ((*m)["type"] == "error") {
        REQUIRE((*m)["code"] == "send-queue-full");
        CHECK((*m)["fatal"] == false);
        refused = true;
      }
    }
  }
  CHECK(refused);
  // The session itself is still up: a refusal is not fatal.
  p.customer.send({{"type", "hello"}});
  auto hello = p.customer.next(10s);
  while (hello && (*hello)["type"] == "error") hello = p.customer.next(10s);
  REQUIRE(hello);
  CHECK((*hello)["type"] == "hello");
}
