// Nameplate table and claim rate limiter: pure, driven with a fake clock and a fixed random
// source. Threat covered: an online guesser gets one try per nameplate and a bounded number of
// tries per minute per address.
#include <doctest/doctest.h>

#include <set>

#include "relay/config.hpp"
#include "relay/nameplates.hpp"
#include "relay/rate_limiter.hpp"

using namespace cotab;
using namespace cotab::relay;
using namespace std::chrono_literals;

namespace {
const nameplates::clock::time_point t0{};  // the fake clock's epoch
}

TEST_CASE("nameplates: allocated numbers have 4 digits in 1000-9999 and are unique") {
  nameplates table(10min);
  std::set<std::string> seen;
  for (owner_id owner = 1; owner <= 500; ++owner) {
    auto plate = table.allocate(owner, t0);
    REQUIRE(plate);
    CHECK(plate->size() == protocol::limits::nameplate_digits);
    int n = std::stoi(*plate);
    CHECK(n >= 1000);
    CHECK(n <= 9999);
    CHECK(seen.insert(*plate).second);
  }
  CHECK(table.size() == 500);
}

TEST_CASE("nameplates: a full table answers relay-full, and a freed number is reused") {
  std::uint32_t counter = 0;
  nameplates table(10min, [&] { return counter++; });  // worst case: predictable collisions
  for (owner_id owner = 1; owner <= nameplates::capacity; ++owner) REQUIRE(table.allocate(owner, t0));
  CHECK(table.size() == 9000);
  auto full = table.allocate(100000, t0);
  REQUIRE_FALSE(full);
  CHECK(full.err().code == errc::relay_full);

  table.release(42);
  auto again = table.allocate(100001, t0);
  REQUIRE(again);
  CHECK(table.size() == 9000);
}

TEST_CASE("nameplates: a nameplate can be claimed exactly once") {
  nameplates table(10min);
  auto plate = table.allocate(7, t0);
  REQUIRE(plate);
  auto first = table.claim(*plate, t0 + 1s);
  REQUIRE(first);
  CHECK(*first == 7u);
  auto second = table.claim(*plate, t0 + 2s);
  REQUIRE_FALSE(second);
  CHECK(second.err().code == errc::nameplate_unknown);
  CHECK(table.size() == 0);
}

TEST_CASE("nameplates: a wrong guess does not burn other nameplates, unknown or malformed ones are unknown") {
  nameplates table(10min, [] { return 0u; });  // always tries 1000 first
  auto plate = table.allocate(1, t0);
  REQUIRE(plate);
  CHECK(*plate == "1000");
  for (const char* guess : {"1001", "9999", "0999", "100", "10000", "abcd", "", "1000 "}) {
    auto r = table.claim(guess, t0);
    REQUIRE_FALSE(r);
    CHECK(r.err().code == errc::nameplate_unknown);
  }
  CHECK(table.claim("1000", t0));
}

TEST_CASE("nameplates: an unclaimed nameplate expires after its TTL") {
  nameplates table(600000ms);
  auto plate = table.allocate(3, t0);
  REQUIRE(plate);
  CHECK(table.expire(t0 + 599999ms).empty());
  auto gone = table.expire(t0 + 600000ms);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0] == 3u);
  auto late = table.claim(*plate, t0 + 600001ms);
  REQUIRE_FALSE(late);
  CHECK(late.err().code == errc::nameplate_unknown);
}

TEST_CASE("nameplates: a claim after the TTL fails even before expire() ran") {
  nameplates table(1s);
  auto plate = table.allocate(3, t0);
  REQUIRE(plate);
  auto late = table.claim(*plate, t0 + 1s);
  REQUIRE_FALSE(late);
  CHECK(late.err().code == errc::nameplate_unknown);
}

TEST_CASE("nameplates: the allocator disconnecting frees its nameplate") {
  nameplates table(10min);
  auto plate = table.allocate(9, t0);
  REQUIRE(plate);
  table.release(9);
  CHECK(table.size() == 0);
  auto r = table.claim(*plate, t0);
  REQUIRE_FALSE(r);
  CHECK(r.err().code == errc::nameplate_unknown);
  table.release(9);  // twice is harmless
}

TEST_CASE("nameplates: one connection holds at most one nameplate") {
  nameplates table(10min);
  REQUIRE(table.allocate(5, t0));
  auto again = table.allocate(5, t0);
  REQUIRE_FALSE(again);
  CHECK(again.err().code == errc::protocol_violation);
}

TEST_CASE("rate limiter: allows a burst of claims_per_minute, then refuses") {
  rate_limiter limiter(protocol::limits::relay_claims_per_minute, protocol::limits::relay_claims_per_minute);
  for (std::uint64_t i = 0; i < protocol::limits::relay_claims_per_minute; ++i)
    CHECK(limiter.try_acquire("192.0.2.1", t0));
  CHECK_FALSE(limiter.try_acquire("192.0.2.1", t0));
  CHECK(limiter.try_acquire("192.0.2.2", t0));  // buckets are per address
}

TEST_CASE("rate limiter: refills one token per 60/N seconds, never above the burst") {
  rate_limiter limiter(20, 20);  // one token every 3 s
  for (int i = 0; i < 20; ++i) REQUIRE(limiter.try_acquire("a", t0));
  CHECK_FALSE(limiter.try_acquire("a", t0 + 2999ms));
  CHECK(limiter.try_acquire("a", t0 + 3000ms));
  CHECK_FALSE(limiter.try_acquire("a", t0 + 3001ms));
  // A long pause refills to the burst only.
  for (int i = 0; i < 20; ++i) CHECK(limiter.try_acquire("a", t0 + 1h));
  CHECK_FALSE(limiter.try_acquire("a", t0 + 1h));
}

TEST_CASE("rate limiter: a clock that goes backwards adds no tokens") {
  rate_limiter limiter(60, 1);
  REQUIRE(limiter.try_acquire("a", t0 + 10s));
  CHECK_FALSE(limiter.try_acquire("a", t0));
}

TEST_CASE("rate limiter: the table of addresses stays bounded") {
  rate_limiter limiter(60, 2, /*max_keys=*/4);
  for (int i = 0; i < 4; ++i) CHECK(limiter.try_acquire("ip" + std::to_string(i), t0));
  // All four are below their burst: a fifth address cannot be tracked and is refused.
  CHECK_FALSE(limiter.try_acquire("ip4", t0));
  // Once they refill, they are forgotten and the new address fits.
  CHECK(limiter.try_acquire("ip4", t0 + 2s));
  CHECK(limiter.tracked_keys() <= 4);
}

TEST_CASE("config: defaults come from limits.json and flags override them") {
  auto ok = parse_args({"--insecure-plaintext", "--max-frame-bytes", "2048", "--idle-timeout-ms=500"});
  REQUIRE(ok.what == parse_outcome::action::run);
  CHECK(ok.cfg.max_frame_bytes == 2048);
  CHECK(ok.cfg.idle_timeout == std::chrono::milliseconds(500));
  CHECK(ok.cfg.watermark_bytes == protocol::limits::relay_queue_watermark_bytes);
  CHECK(ok.cfg.listen_host == "127.0.0.1");
  CHECK(ok.cfg.listen_port == 0);
}

TEST_CASE("config: refuses to run without TLS or with plaintext on a non-loopback address") {
  CHECK(parse_args({}).what == parse_outcome::action::fail);
  CHECK(parse_args({"--insecure-plaintext", "--listen", "0.0.0.0:0"}).what == parse_outcome::action::fail);
  CHECK(parse_args({"--insecure-plaintext", "--listen", "[::1]:0"}).what == parse_outcome::action::run);
  CHECK(parse_args({"--insecure-plaintext", "--listen", "127.8.9.10:80"}).what == parse_outcome::action::run);
  CHECK(parse_args({"--tls-cert", "c.pem"}).what == parse_outcome::action::fail);
  CHECK(parse_args({"--tls-cert", "c.pem", "--tls-key", "k.pem", "--listen", "0.0.0.0:443"}).what ==
        parse_outcome::action::run);
  CHECK(parse_args({"--insecure-plaintext", "--max-frame-bytes", "-1"}).what == parse_outcome::action::fail);
  CHECK(parse_args({"--insecure-plaintext", "--bogus"}).what == parse_outcome::action::fail);
  CHECK(parse_args({"--insecure-plaintext", "--listen", "localhost:80"}).what == parse_outcome::action::fail);
}

TEST_CASE("config: loopback detection") {
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.255.0.1"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("::"));
  CHECK_FALSE(is_loopback("10.0.0.1"));
  CHECK_FALSE(is_loopback("localhost"));
}
