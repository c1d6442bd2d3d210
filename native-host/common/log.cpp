#include "common/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace cotab::log {
namespace {
std::mutex g_mutex;
std::string g_program = "cotab";
std::atomic<int> g_level{[] {
  const char* env = std::getenv("COTAB_LOG");
  if (env == nullptr) return static_cast<int>(level::info);
  std::string_view v(env);
  if (v == "debug") return static_cast<int>(level::debug);
  if (v == "warn") return static_cast<int>(level::warn);
  if (v == "error") return static_cast<int>(level::error);
  return static_cast<int>(level::info);
}()};
constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_program(std::string_view name) {
  std::lock_guard lock(g_mutex);
  g_program.assign(name);
}

void set_level(level l) { g_level = static_cast<int>(l); }

void write(level l, std::string_view message) {
  if (static_cast<int>(l) < g_level.load()) return;
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "%s: %s: %.*s\n", g_program.c_str(), kNames[static_cast<int>(l)],
               static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
}

}  // namespace cotab::log
