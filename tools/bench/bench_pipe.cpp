// bench-pipe: figures for the encrypted pipe (not a test; prints numbers, asserts nothing).
//  1. host compress+encrypt (peer_writer) vs raw zstd + libsodium secretstream on the same data,
//     and the receive side; median of runs, MB/s of JSON in, ratio host/raw;
//  2. round trip through two real cotab-host processes and a real cotab-relay: p50/p99;
//  3. host RSS idle, and peak while moving a 20 MB message;
//  4. relay memory per idle paired session with 1,000 sessions open.
#include <sodium.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>

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
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
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

}  // namespace

int main(int argc, char** argv) {
  ensure_sodium();
  int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  std::printf("bench-pipe (medians of %d runs; JSON in per second; raw = zstd level 3 + secretstream called directly)\n\n", runs);

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
