// cotab-bench-echo: a native messaging host for tools/bench-mirror's "native messaging alone"
// figure (tools/bench/mirror/native-messaging.mjs). It answers every frame with the same frame and
// one field added in front, "hostMs": the wall clock (CLOCK_REALTIME, ms since the epoch, a
// double) when the frame had been read whole, so the benchmark can split the round trip into its
// two one-way legs. It does nothing else, so what the benchmark measures is Chrome's native
// messaging and the pipes, not a host.
//
// Shaped like a real host: frames of a 4-byte native-endian length + UTF-8 JSON read in chunks
// through the project's frame decoder with a cap, one write(2) per answer, logs on stderr only,
// exit on stdin EOF. Not part of Cotab; not installed.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "wire/frame_decoder.hpp"

namespace {

// Chrome drops a host whose frame to the browser is above 1 MiB; the answer is the frame plus
// about 30 bytes, so frames are capped below that.
constexpr std::size_t max_frame_bytes = 1024 * 1024 - 64;
constexpr std::size_t read_chunk_bytes = 64 * 1024;

double wall_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
}

// False when the browser has closed our stdout.
bool write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// `payload` with "hostMs" added as its first member; an error object when it is not an object.
std::string answer(std::string_view payload, double received_ms) {
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "{\"hostMs\":%.4f", received_ms);
  std::string out = stamp;
  if (payload.empty() || payload.front() != '{') return out + R"(,"error":"expected a JSON object"})";
  std::string_view rest = payload.substr(1);
  std::size_t first = rest.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || rest[first] != '}') out += ',';
  out += rest;
  return out;
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is seen as a failed write
  cotab::wire::frame_decoder decoder(max_frame_bytes);
  std::vector<cotab::wire::frame_event> events;
  std::vector<char> buffer(read_chunk_bytes);
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::perror("cotab-bench-echo: read");
      return 1;
    }
    if (n == 0) return 0;  // the browser closed the port
    const double received_ms = wall_ms();
    events.clear();
    decoder.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), events);
    for (const auto& e : events) {
      if (e.what == cotab::wire::frame_event::kind::oversize) {
        std::fprintf(stderr, "cotab-bench-echo: dropped a frame of %u bytes (cap %zu)\n", e.declared_size, max_frame_bytes);
        continue;
      }
      if (!write_all(cotab::wire::encode_frame(answer(e.payload, received_ms)))) return 0;
    }
  }
}
