#include "crypto/code.hpp"

#include <sodium.h>

#include <cassert>

namespace cotab::crypto {
namespace {

constexpr std::size_t secret_digits = protocol::limits::code_secret_digits;
constexpr std::size_t min_digits = nameplate_min_digits + secret_digits;
constexpr std::size_t max_digits = nameplate_max_digits + secret_digits;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) { return c == ' ' || c == '-'; }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

}  // namespace

std::string session_code::display() const {
  std::string_view canonical = password.chars();
  assert(canonical.size() == nameplate.size() + 1 + secret_digits);
  std::string_view secret = canonical.substr(nameplate.size() + 1);
  std::string out;
  out.reserve(canonical.size() + 1);
  out.append(nameplate);
  out.push_back('-');
  out.append(secret.substr(0, secret_digits / 2));
  out.push_back('-');
  out.append(secret.substr(secret_digits / 2));
  return out;
}

result<session_code> parse_code(std::string_view typed) {
  // First pass: validate and count, copying nothing.
  std::size_t digits = 0;
  for (char c : typed) {
    if (is_digit(c)) {
      ++digits;
    } else if (!is_separator(c)) {
      return make_error(errc::code_format, "a session code has only digits, spaces and '-'");
    }
  }
  if (digits < min_digits || digits > max_digits)
    return make_error(errc::code_format, "a session code has 7 to 12 digits");

  // Second pass: write the canonical form straight into secure memory.
  const std::size_t nameplate_len = digits - secret_digits;
  session_code code;
  code.nameplate.reserve(nameplate_len);
  code.password = secure_bytes(digits + 1);
  std::uint8_t* out = code.password.data();
  std::size_t seen = 0;
  for (char c : typed) {
    if (!is_digit(c)) continue;
    if (seen < nameplate_len) code.nameplate.push_back(c);  // public part
    if (seen == nameplate_len) *out++ = '-';
    *out++ = static_cast<std::uint8_t>(c);
    ++seen;
  }
  assert(out == code.password.data() + code.password.size());
  return code;
}

session_code make_code(std::string_view nameplate) {
  assert(nameplate.size() >= nameplate_min_digits && nameplate.size() <= nameplate_max_digits);
  assert(all_digits(nameplate));
  (void)all_digits;
  ensure_sodium();
  session_code code;
  code.nameplate.assign(nameplate);
  code.password = secure_bytes(nameplate.size() + 1 + secret_digits);
  std::uint8_t* out = code.password.data();
  for (char c : nameplate) *out++ = static_cast<std::uint8_t>(c);
  *out++ = '-';
  for (std::size_t i = 0; i < secret_digits; ++i)
    *out++ = static_cast<std::uint8_t>('0' + randombytes_uniform(10));
  return code;
}

}  // namespace cotab::crypto
