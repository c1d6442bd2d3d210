// cotab-relay: pairs two cotab-host connections by nameplate and forwards their end-to-end
// encrypted frames. Single-threaded by design: one io_context run by one thread; all shared
// state lives on that thread, so there are no locks and no data races. One core forwards far
// more ciphertext than the connection limit needs; scale out with more processes.
//
// stdout carries exactly one line, "listening ADDR:PORT", once the socket is ready. Logs and
// the audit trail (JSON lines) go to stderr.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.hpp"
#include "relay/config.hpp"
#include "relay/listener.hpp"
#include "relay/shared_state.hpp"
#include "relay/tls.hpp"

int main(int argc, char** argv) {
  using namespace cotab::relay;
  namespace asio = boost::asio;
  cotab::log::set_program("cotab-relay");
  try {
    auto parsed = parse_args(std::vector<std::string>(argv + 1, argv + argc));
    if (parsed.what == parse_outcome::action::help) {
      std::fputs(usage().c_str(), stdout);
      return 0;
    }
    if (parsed.what == parse_outcome::action::fail) {
      std::fprintf(stderr, "cotab-relay: %s\n%s", parsed.message.c_str(), usage().c_str());
      return 2;
    }
    const config cfg = parsed.cfg;

    std::shared_ptr<asio::ssl::context> tls;
    if (cfg.tls()) {
      auto ctx = make_tls_context(cfg.tls_cert, cfg.tls_key);
      if (!ctx) {
        std::fprintf(stderr, "cotab-relay: %s\n", ctx.err().message.c_str());
        return 2;
      }
      tls = *ctx;
    }

    // Declaration order matters: the io_context may still own sessions (after a drain
    // timeout) and destroys them in its destructor, and sessions use the shared state.
    shared_state state(cfg);
    asio::io_context ioc(1);
    listener server(ioc, state, tls);
    auto local = server.open(cfg.listen_host, cfg.listen_port);
    if (!local) {
      std::fprintf(stderr, "cotab-relay: %s\n", local.err().message.c_str());
      return 1;
    }
    server.start();

    asio::steady_timer drain_deadline(ioc);
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signo) {
      if (ec) return;
      cotab::log::info(std::string("draining on ") + (signo == SIGTERM ? "SIGTERM" : "SIGINT"));
      // New upgrades get 503 and /healthz says draining until the last connection is gone.
      drain_deadline.expires_after(cfg.drain_timeout);
      drain_deadline.async_wait([&](boost::system::error_code e) {
        if (e) return;
        cotab::log::warn("drain timeout: exiting with connections still open");
        ioc.stop();
      });
      state.start_drain([&] {
        server.close();
        ioc.stop();
      });
    });

    auto address = local->address().to_string();
    if (local->address().is_v6()) address = "[" + address + "]";
    std::printf("listening %s:%u\n", address.c_str(), static_cast<unsigned>(local->port()));
    std::fflush(stdout);
    cotab::log::info(std::string("listening on ") + address + ":" + std::to_string(local->port()) +
                     (tls ? " (wss)" : " (ws, plaintext loopback)"));

    ioc.run();
    state.forget_drain_callback();  // sessions destroyed from here on must not call back into main
    cotab::log::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    cotab::log::error(std::string("fatal: ") + e.what());
    return 1;
  }
}
