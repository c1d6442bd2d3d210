#include <doctest/doctest.h>

#include <set>
#include <string>

#include "crypto/code.hpp"

using namespace cotab;
using cotab::crypto::make_code;
using cotab::crypto::parse_code;

namespace {

std::string canonical(const crypto::session_code& c) { return std::string(c.password.chars()); }

}  // namespace

TEST_CASE("code: parses the canonical form") {
  auto c = parse_code("4821-937204");
  REQUIRE(c);
  CHECK(c->nameplate == "4821");
  CHECK(canonical(*c) == "4821-937204");
  CHECK(c->display() == "4821-937-204");
}

TEST_CASE("code: ignores spaces and dashes anywhere, as typed over the phone") {
  for (const char* typed : {"4821-937-204", "4821 937 204", " 4 8 2 1 9 3 7 2 0 4 ", "4821937204",
                            "--4821--937204--", "48-21-93-72-04", "4821 - 937 - 204"}) {
    CAPTURE(typed);
    auto c = parse_code(typed);
    REQUIRE(c);
    CHECK(c->nameplate == "4821");
    CHECK(canonical(*c) == "4821-937204");
  }
}

TEST_CASE("code: the last six digits are the secret, whatever the nameplate length") {
  auto one = parse_code("7-123456");
  REQUIRE(one);
  CHECK(one->nameplate == "7");
  CHECK(canonical(*one) == "7-123456");
  CHECK(one->display() == "7-123-456");

  auto six = parse_code("123456 654321");
  REQUIRE(six);
  CHECK(six->nameplate == "123456");
  CHECK(canonical(*six) == "123456-654321");

  // Where the user put the dash does not matter: digits are re-split from the end.
  auto moved = parse_code("48219-37204");
  REQUIRE(moved);
  CHECK(moved->nameplate == "4821");
  CHECK(canonical(*moved) == "4821-937204");
}

TEST_CASE("code: too few or too many digits is code-format") {
  for (const char* typed : {"", "   ", "---", "123456", "123-456", "1234567890123", "1234-5678-90123"}) {
    CAPTURE(typed);
    auto c = parse_code(typed);
    REQUIRE_FALSE(c);
    CHECK(c.err().code == errc::code_format);
  }
}

TEST_CASE("code: letters, other punctuation and other whitespace are code-format") {
  for (const char* typed : {"4821-93720a", "O821-937204", "4821_937204", "4821.937204", "4821\t937204",
                            "4821-937204\n", "+4821937204", "4821/937204"}) {
    CAPTURE(typed);
    auto c = parse_code(typed);
    REQUIRE_FALSE(c);
    CHECK(c.err().code == errc::code_format);
  }
}

TEST_CASE("code: non-ASCII digits and other unicode are code-format") {
  // Arabic-Indic digits, fullwidth digits, a superscript two, a non-breaking space, an en dash.
  for (const char* typed : {"\xd9\xa4\xd9\xa8\xd9\xa2\xd9\xa1-937204", "\xef\xbc\x94" "821-937204",
                            "4821-93720\xc2\xb2", "4821\xc2\xa0" "937204", "4821\xe2\x80\x93" "937204"}) {
    CAPTURE(typed);
    auto c = parse_code(typed);
    REQUIRE_FALSE(c);
    CHECK(c.err().code == errc::code_format);
  }
}

TEST_CASE("code: an embedded NUL is code-format") {
  std::string typed("4821-93\0" "7204", 12);
  auto c = parse_code(typed);
  REQUIRE_FALSE(c);
  CHECK(c.err().code == errc::code_format);
}

TEST_CASE("code: make_code keeps the nameplate and adds six random digits") {
  auto c = make_code("4821");
  CHECK(c.nameplate == "4821");
  auto s = canonical(c);
  REQUIRE(s.size() == 11);
  CHECK(s.substr(0, 5) == "4821-");
  for (char ch : s.substr(5)) CHECK((ch >= '0' && ch <= '9'));
  // What make_code produces, parse_code reads back identically (both display and canonical).
  auto back = parse_code(c.display());
  REQUIRE(back);
  CHECK(back->nameplate == c.nameplate);
  CHECK(back->password.equals(c.password.span()));
}

TEST_CASE("code: make_code secrets are random and use every digit in every position") {
  std::set<std::string> seen;
  std::set<char> digits_at[6];
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    auto s = canonical(make_code("1000"));
    std::string secret = s.substr(5);
    seen.insert(secret);
    for (int pos = 0; pos < 6; ++pos) digits_at[pos].insert(secret[pos]);
  }
  // 2000 draws from 10^6 give n^2 / (2 * 10^6) = 2 repeated pairs on average (Poisson): 15 or
  // more happen with probability < 10^-8, while a weak generator repeats far more often.
  CHECK(seen.size() >= static_cast<std::size_t>(n - 15));
  for (const auto& d : digits_at) CHECK(d.size() == 10);
}

TEST_CASE("code: the secret lives in secure memory of exactly the canonical size") {
  auto c = make_code("42");
  CHECK(c.password.size() == 2 + 1 + 6);
  CHECK(c.display() == std::string(c.password.chars().substr(0, 6)) + "-" +
                           std::string(c.password.chars().substr(6, 3)));
}
