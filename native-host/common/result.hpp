#pragma once
// Value-or-error for untrusted input, I/O, auth and limits (the second of three error tiers:
// bugs assert, bad input returns one of these, exceptions are caught only at boundaries).
// Error codes are exactly the wire registry's (shared/protocol/errors.json).
#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "cotab/protocol/generated.hpp"

namespace cotab {

using protocol::errc;

struct error {
  errc code = errc::internal;
  std::string message;

  std::string_view name() const noexcept { return protocol::error_name(code); }
  bool fatal() const noexcept { return protocol::error_is_fatal(code); }
};

inline error make_error(errc code, std::string message) { return error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  result(error e) : v_(std::in_place_index<1>, std::move(e)) {}      // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const& { assert(!has_value()); return std::get<1>(v_); }
  error&& err() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error e) : e_(std::move(e)), ok_(false) {}  // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const error& err() const& { assert(!ok_); return e_; }
  error&& err() && { assert(!ok_); return std::move(e_); }

 private:
  error e_{};
  bool ok_ = true;
};

}  // namespace cotab
