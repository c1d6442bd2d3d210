#pragma once
// Session codes: "<nameplate>-<secret>". The nameplate (1-6 digits, the relay allocates 4) is
// public and goes to the relay; the secret (code_secret_digits = 6 random digits) never leaves
// the two hosts except as typed/read by the humans. The whole canonical code is the CPace PRS.
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secure_bytes.hpp"

namespace cotab::crypto {

inline constexpr std::size_t nameplate_min_digits = 1;
inline constexpr std::size_t nameplate_max_digits = 6;

struct session_code {
  std::string nameplate;  // public: sent to the relay to claim the session
  secure_bytes password;  // canonical form "<nameplate>-<secret>", ASCII, e.g. "4821-937204"

  // Human form "<nameplate>-<ddd>-<ddd>", e.g. "4821-937-204". It contains the secret: it exists
  // only so that the sharing host can hand it to the extension, which must show it to the
  // customer. The returned std::string is the caller's to wipe (sodium_memzero) once written.
  std::string display() const;
};

// Parses a code as typed (e.g. read over the phone). Spaces and '-' are ignored anywhere; every
// other character must be an ASCII digit; 7..12 digits in total; the last code_secret_digits are
// the secret, the rest the nameplate. Anything else -> errc::code_format. The secret is copied
// only into the returned secure_bytes (the input view belongs to the caller).
result<session_code> parse_code(std::string_view typed);

// A fresh code for an allocated nameplate: secret digits from randombytes_uniform(10).
// Precondition (asserted): nameplate is 1..6 ASCII digits.
session_code make_code(std::string_view nameplate);

}  // namespace cotab::crypto
