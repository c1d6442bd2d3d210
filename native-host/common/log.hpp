#pragma once
// Logging goes to stderr only: a native host's stdout carries frames and nothing else.
// Never log secrets, codes, keys or payloads.
#include <string_view>

namespace cotab::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_program(std::string_view name);  // prefix, e.g. "cotab-host"
void set_level(level l);
void write(level l, std::string_view message);

inline void debug(std::string_view m) { write(level::debug, m); }
inline void info(std::string_view m) { write(level::info, m); }
inline void warn(std::string_view m) { write(level::warn, m); }
inline void error(std::string_view m) { write(level::error, m); }

}  // namespace cotab::log
