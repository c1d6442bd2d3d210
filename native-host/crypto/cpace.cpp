#include "crypto/cpace.hpp"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace cotab::crypto::cpace {
namespace {

static_assert(point_bytes == crypto_core_ristretto255_BYTES);
static_assert(scalar_bytes == crypto_core_ristretto255_SCALARBYTES);
static_assert(scalar_bytes == crypto_scalarmult_ristretto255_SCALARBYTES);
static_assert(hash_bytes == crypto_hash_sha512_BYTES);
static_assert(hash_bytes == crypto_core_ristretto255_HASHBYTES);

std::size_t leb128_size(std::size_t n) {
  std::size_t size = 1;
  while (n >= 128) {
    n >>= 7;
    ++size;
  }
  return size;
}

std::size_t lv_size(std::size_t n) { return leb128_size(n) + n; }

// Writes LEB128(n) at out and returns the end (section 6.3: 7 bits per byte, low bits first,
// bit 7 set while more bytes follow). The caller sized the buffer.
std::uint8_t* write_len(std::uint8_t* out, std::size_t n) {
  while (n >= 128) {
    *out++ = static_cast<std::uint8_t>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *out++ = static_cast<std::uint8_t>(n);
  return out;
}

// Writes prepend_len(data).
std::uint8_t* write_lv(std::uint8_t* out, bytes_view data) {
  out = write_len(out, data.size());
  if (!data.empty()) std::memcpy(out, data.data(), data.size());
  return out + data.size();
}

// Writes prepend_len(zero_bytes(zeros)).
std::uint8_t* write_zero_lv(std::uint8_t* out, std::size_t zeros) {
  out = write_len(out, zeros);
  if (zeros != 0) std::memset(out, 0, zeros);
  return out + zeros;
}

bool lexicographically_larger(bytes_view a, bytes_view b) {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i] > b[i]) return true;
    if (a[i] < b[i]) return false;
  }
  return a.size() > b.size();
}

}  // namespace

bytes_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::vector<std::uint8_t> prepend_len(bytes_view data) { return lv_cat({data}); }

std::vector<std::uint8_t> lv_cat(std::initializer_list<bytes_view> parts) {
  std::size_t total = 0;
  for (auto p : parts) total += lv_size(p.size());
  std::vector<std::uint8_t> out(total);
  std::uint8_t* w = out.data();
  for (auto p : parts) w = write_lv(w, p);
  assert(w == out.data() + out.size());
  return out;
}

secure_bytes generator_string(bytes_view dsi_bytes, bytes_view prs, bytes_view ci, bytes_view sid,
                              std::size_t s_in_bytes) {
  const std::size_t used = 1 + lv_size(prs.size()) + lv_size(dsi_bytes.size());
  const std::size_t len_zpad = s_in_bytes > used ? s_in_bytes - used : 0;
  const std::size_t total = lv_size(dsi_bytes.size()) + lv_size(prs.size()) + lv_size(len_zpad) +
                            lv_size(ci.size()) + lv_size(sid.size());
  secure_bytes out(total);
  std::uint8_t* w = out.data();
  w = write_lv(w, dsi_bytes);
  w = write_lv(w, prs);
  w = write_zero_lv(w, len_zpad);
  w = write_lv(w, ci);
  w = write_lv(w, sid);
  assert(w == out.data() + out.size());
  return out;
}

secure_bytes generator_hash(bytes_view prs, bytes_view ci, bytes_view sid) {
  secure_bytes gen_str = generator_string(as_bytes(dsi), prs, ci, sid, sha512_block_bytes);
  secure_bytes hash(hash_bytes);
  crypto_hash_sha512(hash.data(), gen_str.data(), gen_str.size());
  return hash;
}

secure_bytes calculate_generator(bytes_view prs, bytes_view ci, bytes_view sid) {
  secure_bytes hash = generator_hash(prs, ci, sid);
  secure_bytes g(point_bytes);
  crypto_core_ristretto255_from_hash(g.data(), hash.data());
  return g;
}

secure_bytes sample_scalar() {
  ensure_sodium();
  secure_bytes y(scalar_bytes);
  crypto_core_ristretto255_scalar_random(y.data());
  return y;
}

point scalar_mult(std::span<const std::uint8_t, scalar_bytes> y, bytes_view g) {
  point out{};
  if (g.size() != point_bytes || crypto_scalarmult_ristretto255(out.data(), y.data(), g.data()) != 0)
    out.fill(0);
  return out;
}

secure_bytes scalar_mult_vfy(std::span<const std::uint8_t, scalar_bytes> y, bytes_view x) {
  secure_bytes k(point_bytes);  // zero-filled: G.I
  if (x.size() != point_bytes) return k;
  // RFC 9496 4.3.1: an encoding with bit 255 set is >= p and must not decode. libsodium 1.0.18
  // masks that bit off instead (so two strings would decode to one element); reject it here.
  if ((x[point_bytes - 1] & 0x80) != 0) return k;
  // Fails (-1) if x is not a canonical encoding of a group element, or if y * x is the
  // neutral element; either way the draft's answer is G.I.
  if (crypto_scalarmult_ristretto255(k.data(), y.data(), x.data()) != 0)
    sodium_memzero(k.data(), k.size());
  return k;
}

bool is_identity(bytes_view encoded) noexcept {
  return encoded.empty() || sodium_is_zero(encoded.data(), encoded.size()) == 1;
}

std::vector<std::uint8_t> transcript_ir(bytes_view ya, bytes_view ad_a, bytes_view yb,
                                        bytes_view ad_b) {
  return lv_cat({ya, ad_a, yb, ad_b});
}

std::vector<std::uint8_t> o_cat(bytes_view a, bytes_view b) {
  std::vector<std::uint8_t> out{'o', 'c'};
  out.reserve(2 + a.size() + b.size());
  const bool a_first = lexicographically_larger(a, b);
  bytes_view first = a_first ? a : b;
  bytes_view second = a_first ? b : a;
  out.insert(out.end(), first.begin(), first.end());
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

std::vector<std::uint8_t> transcript_oc(bytes_view ya, bytes_view ad_a, bytes_view yb,
                                        bytes_view ad_b) {
  return o_cat(lv_cat({ya, ad_a}), lv_cat({yb, ad_b}));
}

secure_bytes derive_isk(bytes_view sid, bytes_view k, bytes_view transcript) {
  static constexpr std::string_view isk_dsi = "CPaceRistretto255_ISK";
  static_assert(isk_dsi.substr(0, dsi.size()) == dsi);
  // The prefix holds K, so it is built in secure memory.
  const std::size_t prefix_size = lv_size(isk_dsi.size()) + lv_size(sid.size()) + lv_size(k.size());
  secure_bytes prefix(prefix_size);
  std::uint8_t* w = prefix.data();
  w = write_lv(w, as_bytes(isk_dsi));
  w = write_lv(w, sid);
  w = write_lv(w, k);
  assert(w == prefix.data() + prefix.size());

  secure_bytes isk(hash_bytes);
  secure_bytes state(sizeof(crypto_hash_sha512_state));
  auto* st = reinterpret_cast<crypto_hash_sha512_state*>(state.data());
  crypto_hash_sha512_init(st);
  crypto_hash_sha512_update(st, prefix.data(), prefix.size());
  crypto_hash_sha512_update(st, transcript.data(), transcript.size());
  crypto_hash_sha512_final(st, isk.data());
  return isk;
}

}  // namespace cotab::crypto::cpace
