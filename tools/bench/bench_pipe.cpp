// bench-pipe: figures for the encrypted pipe (not a test; prints numbers, asserts nothing).
//  1. host compress+encrypt (peer_writer) vs raw zstd + libsodium secretstream on the same data,
//     and the receive side; median of runs, MB/s of JSON in, ratio host/raw;
//  2. round trip through two real cotab-host processes and a real cotab-relay: p50/p99, back to
//     back; then paced (one small message every G ms, as the mirror sends changes): one way and
//     round trip, beside the same pacing through the relay alone, through a bare pipe echo and
//     for the hosts' per-message work alone (no I/O), to show what an idle gap costs each part;
//  3. host RSS idle, and peak while moving a 20 MB message;
//  4. relay memory per idle paired session with 1,000 sessions open.
#include <sodium.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>
#include <thread>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "harness.hpp"
#include "host/peer_stream.hpp"

using namespace cotab;
using namespace cotab::testing;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::uint32_t rng_state = 12345;
std::uint32_t rnd() { return rng_state = rng_state * 1103515245 + 12345; }

// DOM-like data: what the extension will send (mutation batches and snapshots).
std::string words(int n) {
  static const char* vocab[] = {"account", "order", "shipping", "address", "total", "price", "item", "cart",
                                "help", "search", "settings", "profile", "payment", "review", "status", "delivery"};
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += vocab[rnd() % 16];
  }
  return s;
}

std::string mutation_batch(int seq) {
  nlohmann::json batch = nlohmann::json::array();
  for (int i = 0; i < 6; ++i) {
    batch.push_back({{"op", i % 3 == 0 ? "text" : i % 3 == 1 ? "attr" : "add"},
                     {"id", 1000 + rnd() % 5000},
                     {"name", "class"},
                     {"value", words(3 + static_cast<int>(rnd() % 5))}});
  }
  return nlohmann::json{{"kind", "mutations"}, {"seq", seq}, {"batch", batch}}.dump();
}

std::string snapshot(std::size_t target_bytes) {
  std::string s = R"({"kind":"snapshot","nodes":[)";
  for (int id = 0; s.size() < target_bytes; ++id) {
    if (id) s += ',';
    s += nlohmann::json{{"id", id}, {"tag", id % 7 == 0 ? "td" : "div"}, {"attrs", {{"class", words(2)}}},
                        {"text", words(4 + static_cast<int>(rnd() % 8))}, {"parent", id / 4}}
             .dump();
  }
  s += "]}";
  return s;
}

secure_bytes key_of(std::uint8_t fill) {
  std::vector<std::uint8_t> raw(32, fill);
  return secure_bytes(std::span<const std::uint8_t>(raw));
}

struct throughput {
  double host_send_mbps, raw_send_mbps, host_recv_mbps, raw_recv_mbps;
  std::size_t wire_bytes;
};

throughput measure_throughput(const std::vector<std::string>& messages, int runs) {
  std::size_t in_bytes = 0;
  for (const auto& m : messages) in_bytes += m.size();
  std::vector<double> host_send, raw_send, host_recv, raw_recv;
  std::size_t wire_bytes = 0;
  for (int r = 0; r < runs; ++r) {
    // Host path: peer_writer (zstd stream + fragments + secretstream).
    host::peer_writer writer(key_of(1), 0);
    std::vector<std::vector<std::uint8_t>> frames;
    frames.reserve(messages.size() * 2);
    auto t0 = clock_type::now();
    for (const auto& m : messages) writer.write_message(m, [&](std::vector<std::uint8_t>&& f) { frames.push_back(std::move(f)); });
    host_send.push_back(ms_since(t0));
    wire_bytes = 0;
    for (const auto& f : frames) wire_bytes += f.size();

    host::peer_reader reader(key_of(1), 0);
    (void)reader.on_frame(writer.header_frame());
    t0 = clock_type::now();
    for (const auto& f : frames) (void)reader.on_frame(f);
    host_recv.push_back(ms_since(t0));

    // Raw libraries: same zstd parameters and flush per message, same secretstream.
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, static_cast<int>(protocol::limits::zstd_level));
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, static_cast<int>(protocol::limits::zstd_window_log));
    crypto_secretstream_xchacha20poly1305_state st;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    auto k = key_of(1);
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, k.data());
    std::vector<std::uint8_t> piece(protocol::limits::fragment_bytes);
    std::vector<std::vector<std::uint8_t>> raw_frames;
    raw_frames.reserve(messages.size() * 2);
    t0 = clock_type::now();
    for (const auto& m : messages) {
      ZSTD_inBuffer in{m.data(), m.size(), 0};
      for (;;) {
        ZSTD_outBuffer out{piece.data(), piece.size(), 0};
        std::size_t left = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_flush);
        std::vector<std::uint8_t> c(out.pos + crypto_secretstream_xchacha20poly1305_ABYTES);
        crypto_secretstream_xchacha20poly1305_push(&st, c.data(), nullptr, piece.data(), out.pos, nullptr, 0, 0);
        raw_frames.push_back(std::move(c));
        if (left == 0 && in.pos == in.size) break;
      }
    }
    raw_send.push_back(ms_since(t0));
    ZSTD_freeCCtx(cctx);

    crypto_secretstream_xchacha20poly1305_state rst;
    crypto_secretstream_xchacha20poly1305_init_pull(&rst, header, k.data());
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    std::vector<std::uint8_t> plain(protocol::limits::fragment_bytes);
    std::string out_text;
    t0 = clock_type::now();
    for (const auto& c : raw_frames) {
      unsigned long long plen = 0;
      unsigned char tag = 0;
      crypto_secretstream_xchacha20poly1305_pull(&rst, plain.data(), &plen, &tag, c.data(), c.size(), nullptr, 0);
      ZSTD_inBuffer in{plain.data(), static_cast<std::size_t>(plen), 0};
      while (in.pos < in.size) {
        std::size_t before = out_text.size();
        out_text.resize(before + ZSTD_DStreamOutSize());
        ZSTD_outBuffer out{out_text.data() + before, ZSTD_DStreamOutSize(), 0};
        ZSTD_decompressStream(dctx, &out, &in);
        out_text.resize(before + out.pos);
      }
      if (out_text.size() > (1u << 26)) out_text.clear();
    }
    raw_recv.push_back(ms_since(t0));
    ZSTD_freeDCtx(dctx);
  }
  auto mbps = [&](double ms) { return static_cast<double>(in_bytes) / 1e6 / (ms / 1000.0); };
  return {mbps(median(host_send)), mbps(median(raw_send)), mbps(median(host_recv)), mbps(median(raw_recv)), wire_bytes};
}

long proc_status_kb(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
  }
  return -1;
}

// A change as the mirror sends it between snapshots: one small mutation batch (~150 bytes).
nlohmann::json small_change(int seq) {
  return {{"kind", "mutations"},
          {"seq", seq},
          {"batch", {{{"op", "text"}, {"id", 1000 + rnd() % 5000}, {"value", words(3)}},
                     {{"op", "attr"}, {"id", 1000 + rnd() % 5000}, {"name", "class"}, {"value", words(2)}}}}};
}

// Gaps between messages for the paced figures: back to back, and the idle gaps a page's changes
// leave (the glass-to-glass benchmark sends one change about every 20 ms).
constexpr int paced_gaps_ms[] = {0, 5, 20};
constexpr int paced_samples = 300;
constexpr int paced_warmup = 20;

struct paced_result {
  std::vector<double> one_way, round_trip;
};

// Runs `sample` (returns {one way, round trip} in ms, < 0 for a figure it does not measure)
// paced_warmup + paced_samples times with `gap_ms` of idle before each.
template <class Sample>
paced_result run_paced(int gap_ms, Sample sample) {
  paced_result r;
  for (int i = 0; i < paced_warmup + paced_samples; ++i) {
    if (gap_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    auto [one_way, round_trip] = sample(i);
    if (i < paced_warmup) continue;
    if (one_way >= 0) r.one_way.push_back(one_way);
    if (round_trip >= 0) r.round_trip.push_back(round_trip);
  }
  return r;
}

void print_paced(const char* what, int gap_ms, const paced_result& r, const char* one_way_name = "one way") {
  std::printf("  %-36s gap %2d ms:", what, gap_ms);
  const char* sep = "";
  for (auto [name, v] : {std::pair{one_way_name, &r.one_way}, std::pair{"round trip", &r.round_trip}}) {
    if (v->empty()) continue;
    std::printf("%s %s p50 %.3f p99 %.3f ms", sep, name, percentile(*v, 0.50), percentile(*v, 0.99));
    sep = ";";
  }
  std::printf("\n");
}

// cotab-bench-echo on a pipe: what a native-messaging-shaped round trip costs with no host logic,
// no relay and no thread hop (two wake-ups: the echo process, then us).
class echo_proc {
 public:
  echo_proc() : proc_(child_process::spawn({bin("cotab-bench-echo")})) {}
  double round_trip_ms(const std::string& payload) {
    std::string frame = wire::encode_frame(payload);
    auto t0 = clock_type::now();
    if (::write(proc_.stdin_fd(), frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) {
      throw std::runtime_error("echo stdin");
    }
    std::vector<wire::frame_event> events;
    std::vector<std::uint8_t> buf(1 << 16);
    while (events.empty()) {
      ssize_t n = ::read(proc_.stdout_fd(), buf.data(), buf.size());
      if (n <= 0) throw std::runtime_error("echo stdout");
      decoder_.feed(std::span(buf.data(), static_cast<std::size_t>(n)), events);
    }
    return ms_since(t0);
  }

 private:
  child_process proc_;
  wire::frame_decoder decoder_;
};

// The relay alone: two WebSocket clients of one paired room in this process, one binary message
// from a to b (two wake-ups: the relay, then us).
class relay_pair {
 public:
  using ws_t = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;
  explicit relay_pair(unsigned short port) : a_(io_), b_(io_) {
    for (ws_t* ws : {&a_, &b_}) {
      ws->next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port});
      ws->next_layer().set_option(boost::asio::ip::tcp::no_delay(true));
      ws->handshake("127.0.0.1", "/v1");
    }
    a_.write(boost::asio::buffer(std::string(R"({"type":"allocate","version":1})")));
    auto nameplate = read_json(a_)["nameplate"].get<std::string>();
    b_.write(boost::asio::buffer(R"({"type":"claim","version":1,"nameplate":")" + nameplate + "\"}"));
    read_json(a_);  // paired
    read_json(b_);  // paired
    a_.binary(true);
    b_.binary(true);
  }
  double one_way_ms(std::size_t bytes) {
    std::string frame(bytes, 'x');
    boost::beast::flat_buffer got;
    auto t0 = clock_type::now();
    a_.write(boost::asio::buffer(frame));
    b_.read(got);
    return ms_since(t0);
  }

 private:
  static nlohmann::json read_json(ws_t& ws) {
    boost::beast::flat_buffer b;
    ws.read(b);
    return nlohmann::json::parse(boost::beast::buffers_to_string(b.data()));
  }
  boost::asio::io_context io_;
  ws_t a_, b_;
};

// Paced one way (customer host stdin write -> agent host stdout read, this process's clock) and
// round trip (the agent's extension answers at once), beside the relay alone, a pipe echo and
// the hosts' work alone, each after the same idle gap.
void paced_latency(host_proc& customer, host_proc& agent, relay_proc& relay) {
  std::printf("paced: %d samples per gap after %d warm-up, one message of ~%zu bytes of JSON each:\n", paced_samples,
              paced_warmup, small_change(0).dump().size());
  echo_proc echo;
  relay_pair pair(relay.port());
  host::peer_writer writer(key_of(2), 0);
  host::peer_reader reader(key_of(2), 0);
  (void)reader.on_frame(writer.header_frame());
  // The relay-alone figure forwards frames of the size the hosts put on the wire for a change.
  std::size_t wire_bytes = 0;
  writer.write_message(small_change(0).dump(), [&](std::vector<std::uint8_t>&& f) {
    wire_bytes += f.size();
    (void)reader.on_frame(f);
  });
  std::printf("  (each change is %zu bytes on the relay's wire)\n", wire_bytes);
  for (int gap : paced_gaps_ms) {
    auto hosts = run_paced(gap, [&](int i) {
      auto t0 = clock_type::now();
      customer.send({{"type", "send"}, {"data", small_change(i)}});
      if (!agent.expect("recv")) throw std::runtime_error("paced: no recv at the agent");
      double one_way = ms_since(t0);
      agent.send({{"type", "send"}, {"data", {{"kind", "ack"}, {"seq", i}}}});
      if (!customer.expect("recv")) throw std::runtime_error("paced: no recv at the customer");
      return std::pair{one_way, ms_since(t0)};
    });
    print_paced("ext->host->relay->host->ext", gap, hosts);
    auto relay_only = run_paced(gap, [&](int) { return std::pair{pair.one_way_ms(wire_bytes), -1.0}; });
    print_paced("relay alone (ws->relay->ws)", gap, relay_only);
    std::string payload = small_change(0).dump();
    auto pipe_only = run_paced(gap, [&](int) { return std::pair{-1.0, echo.round_trip_ms(payload)}; });
    print_paced("pipe echo (cotab-bench-echo)", gap, pipe_only);
    // No wake-up at all: both hosts' per-message work (zstd + secretstream + JSON checks) in this
    // process, timed after the same idle gap, shows how much slower cold caches make the code.
    auto work_only = run_paced(gap, [&](int i) {
      std::string change = small_change(i).dump();
      auto t0 = clock_type::now();
      writer.write_message(change, [&](std::vector<std::uint8_t>&& f) { (void)reader.on_frame(f); });
      return std::pair{ms_since(t0), -1.0};
    });
    print_paced("host work alone (send+recv, no I/O)", gap, work_only, "per message");
  }
}

void relay_memory(int sessions) {
  relay_proc relay({"--insecure-plaintext", "--claims-per-minute", "1000000"});
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  boost::asio::io_context io;
  using ws_t = websocket::stream<boost::asio::ip::tcp::socket>;
  auto open = [&] {
    auto ws = std::make_unique<ws_t>(io);
    ws->next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), relay.port()});
    ws->handshake("127.0.0.1", "/v1");
    return ws;
  };
  auto read_json = [](ws_t& ws) {
    beast::flat_buffer b;
    ws.read(b);
    return nlohmann::json::parse(beast::buffers_to_string(b.data()));
  };
  // Warm up the relay's allocator with a few sessions first, then measure from there.
  std::vector<std::unique_ptr<ws_t>> conns;
  auto open_session = [&] {
    auto a = open();
    a->write(boost::asio::buffer(std::string(R"({"type":"allocate","version":1})")));
    auto nameplate = read_json(*a)["nameplate"].get<std::string>();
    auto b = open();
    b->write(boost::asio::buffer(R"({"type":"claim","version":1,"nameplate":")" + nameplate + "\"}"));
    read_json(*a);
    read_json(*b);
    // One exchange each way, as a real session's handshake would.
    a->binary(true);
    b->binary(true);
    std::string hi(64, 'x');
    a->write(boost::asio::buffer(hi));
    beast::flat_buffer buf;
    b->read(buf);
    conns.push_back(std::move(a));
    conns.push_back(std::move(b));
  };
  for (int i = 0; i < 20; ++i) open_session();
  int pid = relay.process().pid();
  long before = proc_status_kb(pid, "VmRSS:");
  for (int i = 0; i < sessions; ++i) open_session();
  long after = proc_status_kb(pid, "VmRSS:");
  std::printf("relay: %d idle paired sessions (%d connections): RSS %ld -> %ld KB, %.1f KB per session (target <= 16 KB)\n",
              sessions, sessions * 2, before, after, static_cast<double>(after - before) / sessions);
}

void run_throughput(int runs) {
  std::printf("bench-pipe (medians of %d runs; JSON in per second; raw = zstd level %d + secretstream called directly)\n\n", runs, static_cast<int>(protocol::limits::zstd_level));
  std::vector<std::string> small;
  for (int i = 0; i < 20000; ++i) small.push_back(mutation_batch(i));
  std::vector<std::string> big = {snapshot(20'000'000)};
  struct named { const char* name; const std::vector<std::string>* data; };
  for (auto [name, data] : {named{"20,000 mutation batches (~0.6 KB)", &small}, named{"one 20 MB snapshot", &big}}) {
    auto t = measure_throughput(*data, runs);
    std::size_t in = 0;
    for (const auto& m : *data) in += m.size();
    std::printf("%s: %.1f MB in, %.1f MB on the wire (%.1fx smaller)\n", name, in / 1e6, t.wire_bytes / 1e6,
                static_cast<double>(in) / static_cast<double>(t.wire_bytes));
    std::printf("  send: host %.0f MB/s, raw %.0f MB/s, host/raw %.2f (target >= 0.50)\n", t.host_send_mbps, t.raw_send_mbps,
                t.host_send_mbps / t.raw_send_mbps);
    std::printf("  recv: host %.0f MB/s, raw %.0f MB/s, host/raw %.2f (host also re-validates the JSON)\n", t.host_recv_mbps,
                t.raw_recv_mbps, t.host_recv_mbps / t.raw_recv_mbps);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  ensure_sodium();
  // bench-pipe [runs] [--latency]: --latency prints only the latency figures (a short run).
  int runs = 5;
  bool latency_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--latency") == 0) latency_only = true;
    else runs = std::atoi(argv[i]);
  }
  if (!latency_only) run_throughput(runs);
  {
    relay_proc relay;
    host_proc customer, agent;
    pair_hosts(customer, agent, relay.ws_url());
    agent.expect("peer");
    customer.expect("peer");
    std::this_thread::sleep_for(300ms);  // let both settle before sampling idle memory
    std::printf("host: idle in a session: RSS %ld KB (customer), %ld KB (agent) (target <= 16 MB)\n",
                proc_status_kb(customer.process().pid(), "VmRSS:"), proc_status_kb(agent.process().pid(), "VmRSS:"));
    std::vector<double> rtt;
    for (int i = 0; i < 2000; ++i) {
      auto t0 = clock_type::now();
      customer.send({{"type", "send"}, {"data", {{"kind", "pointer"}, {"x", i}, {"y", 2 * i}}}});
      agent.expect("recv");
      agent.send({{"type", "send"}, {"data", {{"kind", "ack"}, {"seq", i}}}});
      customer.expect("recv");
      if (i >= 100) rtt.push_back(ms_since(t0));  // after warm-up
    }
    std::printf("round trip extension->host->relay->host->extension and back (%zu samples): p50 %.3f ms, p99 %.3f ms (target p50 <= 2 ms)\n",
                rtt.size(), percentile(rtt, 0.50), percentile(rtt, 0.99));
    paced_latency(customer, agent, relay);
    if (latency_only) return 0;
    std::string blob = snapshot(20'000'000);
    auto t0 = clock_type::now();
    customer.send_text(R"({"type":"send","data":)" + blob + "}");
    auto got = agent.expect("recv", 120s);
    double ms = ms_since(t0);
    std::printf("20 MB snapshot end to end: %.0f ms (%s); peak RSS customer %ld KB, agent %ld KB (target <= 64 MB)\n", ms,
                got ? "intact" : "LOST", proc_status_kb(customer.process().pid(), "VmHWM:"),
                proc_status_kb(agent.process().pid(), "VmHWM:"));
  }
  std::printf("\n");
  relay_memory(1000);
  return 0;
}
