#pragma once
// Integration harness: real cotab-host processes spoken to over native-messaging framing on
// their stdio, a real cotab-relay on 127.0.0.1, and a recording TCP proxy in front of the relay
// so tests can read every byte the relay's network sees.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "wire/frame_decoder.hpp"

namespace cotab::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline const std::string kDevOrigin = "chrome-extension://mnknokapbblehlbilofanegdjpgoobcc/";

inline std::string bin(const std::string& name) { return std::string(COTAB_BIN_DIR) + "/" + name; }

// A cotab-host process and the extension's end of its port.
class host_proc {
 public:
  explicit host_proc(std::string origin = kDevOrigin)
      : proc_(child_process::spawn({bin("cotab-host"), std::move(origin)})) {}

  void send_raw(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(proc_.stdin_fd(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("host stdin closed");
      done += static_cast<std::size_t>(n);
    }
  }
  void send_text(std::string_view text) { send_raw(wire::encode_frame(text)); }
  void send(const json& message) { send_text(message.dump()); }

  // The next complete message (chunks reassembled), or nullopt on timeout/EOF.
  std::optional<json> next(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      while (!frames_.empty()) {
        std::string payload = std::move(frames_.front());
        frames_.pop_front();
        ++frames_read_;
        largest_frame_ = std::max(largest_frame_, payload.size());
        json m = json::parse(payload);
        if (m.value("type", "") == "chunk") {
          auto id = m["id"].get<std::uint64_t>();
          auto& text = partial_[id];
          text += m["part"].get<std::string>();
          if (m["index"].get<std::size_t>() + 1 == m["count"].get<std::size_t>()) {
            json whole = json::parse(text);
            partial_.erase(id);
            return whole;
          }
          continue;
        }
        return m;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || eof_) return std::nullopt;
      pollfd p{proc_.stdout_fd(), POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r <= 0) continue;
      std::vector<std::uint8_t> buf(1 << 16);
      ssize_t n = ::read(proc_.stdout_fd(), buf.data(), buf.size());
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      std::vector<wire::frame_event> events;
      decoder_.feed(std::span(buf.data(), static_cast<std::size_t>(n)), events);
      for (auto& e : events) frames_.push_back(std::move(e.payload));
    }
  }

  // The next message of `type`, skipping "status" updates; nullopt on timeout or another type.
  std::optional<json> expect(const std::string& type, std::chrono::milliseconds timeout = 10s) {
    for (;;) {
      auto m = next(timeout);
      if (!m) return std::nullopt;
      if ((*m)["type"] == "status") continue;
      if ((*m)["type"] == type) return m;
      last_unexpected_ = *m;
      return std::nullopt;
    }
  }

  // Expects {"type":"error","code":code}; returns the error message.
  bool expect_error(const std::string& code, std::chrono::milliseconds timeout = 10s) {
    auto m = expect("error", timeout);
    if (!m) return false;
    last_unexpected_ = *m;
    return (*m)["code"] == code;
  }

  const json& last_unexpected() const { return last_unexpected_; }
  void close_stdin() { proc_.close_stdin(); }
  int wait() { return proc_.wait(); }
  child_process& process() { return proc_; }
  std::size_t largest_frame() const { return largest_frame_; }
  std::size_t frames_read() const { return frames_read_; }

 private:
  child_process proc_;
  wire::frame_decoder decoder_{1 << 30};
  std::deque<std::string> frames_;
  std::map<std::uint64_t, std::string> partial_;
  json last_unexpected_;
  bool eof_ = false;
  std::size_t largest_frame_ = 0;
  std::size_t frames_read_ = 0;
};

// A cotab-relay process on 127.0.0.1:<free port>.
class relay_proc {
 public:
  explicit relay_proc(std::vector<std::string> extra = {"--insecure-plaintext"}) {
    std::vector<std::string> argv = {bin("cotab-relay"), "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_.emplace(child_process::spawn(argv));
    auto line = proc_->read_line(10s);
    if (!line || line->rfind("listening ", 0) != 0) throw std::runtime_error("relay did not start");
    address_ = line->substr(std::strlen("listening "));
    port_ = static_cast<unsigned short>(std::stoi(address_.substr(address_.rfind(':') + 1)));
  }
  unsigned short port() const { return port_; }
  std::string ws_url() const { return "ws://" + address_ + "/v1"; }
  child_process& process() { return *proc_; }

 private:
  std::optional<child_process> proc_;
  std::string address_;
  unsigned short port_ = 0;
};

// TCP proxy 127.0.0.1:<port> -> 127.0.0.1:<upstream>, recording every byte in both directions.
class recording_proxy {
 public:
  explicit recording_proxy(unsigned short upstream) : upstream_(upstream), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~recording_proxy() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/v1"; }
  std::string recorded() {
    std::lock_guard lock(mutex_);
    return recorded_;
  }

 private:
  using tcp = boost::asio::ip::tcp;
  struct link : std::enable_shared_from_this<link> {
    link(boost::asio::io_context& io) : client(io), server(io) {}
    tcp::socket client, server;
  };

  void accept() {
    auto l = std::make_shared<link>(io_);
    acceptor_.async_accept(l->client, [this, l](boost::system::error_code ec) {
      if (ec) return;
      l->server.async_connect({boost::asio::ip::make_address("127.0.0.1"), upstream_}, [this, l](boost::system::error_code ec2) {
        if (ec2) return;
        pump(l, l->client, l->server);
        pump(l, l->server, l->client);
      });
      accept();
    });
  }

  void pump(std::shared_ptr<link> l, tcp::socket& from, tcp::socket& to) {
    auto buf = std::make_shared<std::vector<char>>(1 << 16);
    from.async_read_some(boost::asio::buffer(*buf), [this, l, &from, &to, buf](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        boost::system::error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      {
        std::lock_guard lock(mutex_);
        recorded_.append(buf->data(), n);
      }
      boost::asio::async_write(to, boost::asio::buffer(buf->data(), n), [this, l, &from, &to, buf](boost::system::error_code ec2, std::size_t) {
        if (!ec2) pump(l, from, to);
      });
    });
  }

  unsigned short upstream_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::string recorded_;
};

// Overwrites `text` with pseudo-random lowercase letters (incompressible enough that repeated
// sends do not shrink to nothing against zstd's history); `state` carries the generator on.
inline void fill_random_letters(std::string& text, std::uint32_t& state) {
  for (auto& ch : text) ch = static_cast<char>('a' + ((state = state * 1103515245 + 12345) >> 16) % 26);
}

// Starts a session: `customer` shares, `agent` joins with the code. Returns the code.
inline std::string pair_hosts(host_proc& customer, host_proc& agent, const std::string& relay_url) {
  customer.send({{"type", "share"}, {"relay", relay_url}});
  auto code = customer.expect("code");
  if (!code) throw std::runtime_error("no code: " + customer.last_unexpected().dump());
  agent.send({{"type", "join"}, {"relay", relay_url}, {"code", (*code)["code"]}});
  return (*code)["code"].get<std::string>();
}

}  // namespace cotab::testing
