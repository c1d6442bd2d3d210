// cotab-host: Chrome native messaging host. Chrome starts it with argv[1] = the calling origin
// ("chrome-extension://<id>/"). stdin: frames from the extension; stdout: frames to it and
// nothing else; stderr: logs. EOF on stdin = shut down now.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/log.hpp"
#include "common/secure_bytes.hpp"
#include "host/extension_port.hpp"
#include "host/host.hpp"
#include "wire/frame_decoder.hpp"

namespace {

// Extension IDs allowed to start this host, comma-separated, fixed at build time
// (-DCOTAB_ALLOWED_EXTENSION_IDS=...). The default is the labelled development key's ID.
bool origin_allowed(std::string_view origin) {
  constexpr std::string_view prefix = "chrome-extension://";
  if (!origin.starts_with(prefix) || !origin.ends_with("/")) return false;
  std::string_view id = origin.substr(prefix.size(), origin.size() - prefix.size() - 1);
  std::string_view allowed = COTAB_ALLOWED_EXTENSION_IDS;
  while (!allowed.empty()) {
    auto comma = allowed.find(',');
    if (allowed.substr(0, comma) == id) return true;
    if (comma == std::string_view::npos) break;
    allowed.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  cotab::log::set_program("cotab-host");
  cotab::ensure_sodium();
  cotab::host::extension_port port(STDOUT_FILENO);

  std::string_view origin = argc > 1 ? argv[1] : "";
  if (!origin_allowed(origin)) {
    cotab::log::error("refusing to serve origin '" + std::string(origin) + "'");
    port.send_error(cotab::make_error(cotab::errc::origin_not_allowed, "this extension may not use cotab-host"));
    return 1;
  }

  try {
    boost::asio::io_context io(1);
    cotab::host::host_options options;
    options.extension_origin = std::string(origin.substr(0, origin.size() - 1));
    const char* channel_switch = std::getenv("COTAB_DATA_CHANNEL");
    options.data_channel = channel_switch == nullptr || std::string_view(channel_switch) != "off";
    auto host = std::make_shared<cotab::host::host>(io, port, std::move(options));
    auto guard = boost::asio::make_work_guard(io);

    // Drain stdin continuously on its own thread (Chrome's queue to us is unbounded).
    std::thread reader([&io, host] {
      cotab::wire::frame_decoder decoder;
      std::vector<cotab::wire::frame_event> events;
      std::vector<std::uint8_t> buffer(64 * 1024);
      for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        decoder.feed(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)), events);
        for (auto& e : events) {
          boost::asio::post(io, [host, e = std::move(e)]() mutable { host->on_frame(std::move(e)); });
        }
        events.clear();
      }
      bool truncated = decoder.mid_frame();
      boost::asio::post(io, [host, truncated] { host->on_stdin_end(truncated); });
    });

    io.run();
    guard.reset();
    // The reader may still be blocked in read() if we stopped for another reason; it is detached
    // only in that case (the process is exiting).
    if (reader.joinable()) reader.detach();
    return 0;
  } catch (const std::exception& e) {
    cotab::log::error(std::string("fatal: ") + e.what());
    port.send_error(cotab::make_error(cotab::errc::internal, e.what()));
    return 2;
  }
}
