#pragma once
// CPace, cipher suite CPACE-RISTR255-SHA512, as specified by draft-irtf-cfrg-cpace-21
// (sections 6.3, 7.2, 8.1, 8.3 and Appendix A), implemented with libsodium 1.0.18.
// These are the draft's building blocks, named as in the draft; the cotab handshake
// (handshake.hpp) composes them in the initiator-responder setting.
//
// Anything derived from the password (generator string, generator, scalars, K, ISK) is returned
// in secure_bytes; public values (Ya, Yb, transcripts) in ordinary containers.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "common/secure_bytes.hpp"

namespace cotab::crypto::cpace {

using bytes_view = std::span<const std::uint8_t>;

inline constexpr std::string_view dsi = "CPaceRistretto255";   // G_Ristretto255.DSI
inline constexpr std::size_t point_bytes = 32;                  // encoded ristretto255 element
inline constexpr std::size_t scalar_bytes = 32;
inline constexpr std::size_t hash_bytes = 64;                   // SHA-512 output, = ISK size
inline constexpr std::size_t sha512_block_bytes = 128;          // H.s_in_bytes for SHA-512

using point = std::array<std::uint8_t, point_bytes>;

// Views of ASCII text as bytes (for DSI, CI and test inputs).
bytes_view as_bytes(std::string_view s) noexcept;

// prepend_len (Appendix A.1.1): LEB128(len(data)) || data.
std::vector<std::uint8_t> prepend_len(bytes_view data);

// lv_cat (Appendix A.1.3): prepend_len(a0) || prepend_len(a1) || ...  (public data only)
std::vector<std::uint8_t> lv_cat(std::initializer_list<bytes_view> parts);

// generator_string (section 8.1, Appendix A.2):
// lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid) with
// len_zpad = max(0, s_in_bytes - 1 - len(prepend_len(PRS)) - len(prepend_len(DSI))).
secure_bytes generator_string(bytes_view dsi, bytes_view prs, bytes_view ci, bytes_view sid,
                              std::size_t s_in_bytes = sha512_block_bytes);

// SHA-512 of generator_string(...) (the draft's "hash result"); 64 bytes.
secure_bytes generator_hash(bytes_view prs, bytes_view ci, bytes_view sid);

// G.calculate_generator (section 8.3): element_derivation(SHA-512(generator_string)),
// returned in its public encoding (libsodium has no separate internal form). 32 bytes.
secure_bytes calculate_generator(bytes_view prs, bytes_view ci, bytes_view sid);

// G.sample_scalar: uniform in [1, group_order - 1] (the alternative the draft allows in 8.3).
secure_bytes sample_scalar();

// G.scalar_mult(y, g) = encode(y * g) for a valid generator g. Returns G.I (all zero) if g does
// not decode or the product is the neutral element (only possible for y = 0 mod order).
point scalar_mult(std::span<const std::uint8_t, scalar_bytes> y, bytes_view g);

// G.scalar_mult_vfy(y, X): G.I if X is not exactly a canonical encoding of a group element,
// otherwise encode(y * decode(X)) (which is G.I if the product is the neutral element).
// The result K is secret; the protocol MUST abort when it equals G.I (see is_identity).
secure_bytes scalar_mult_vfy(std::span<const std::uint8_t, scalar_bytes> y, bytes_view x);

// True if the 32-byte encoding is G.I (constant time).
bool is_identity(bytes_view encoded) noexcept;

// transcript_ir (section 6.3, Appendix A.3.4): lv_cat(Ya, ADa) || lv_cat(Yb, ADb).
std::vector<std::uint8_t> transcript_ir(bytes_view ya, bytes_view ad_a, bytes_view yb,
                                        bytes_view ad_b);

// o_cat / transcript_oc (Appendix A.3.2, A.3.6), the symmetric ("parallel") variant. Cotab has
// fixed roles and does not use it; it is here so the draft's ISK_SY vector can be checked.
std::vector<std::uint8_t> o_cat(bytes_view a, bytes_view b);
std::vector<std::uint8_t> transcript_oc(bytes_view ya, bytes_view ad_a, bytes_view yb,
                                        bytes_view ad_b);

// ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript) (section 7.2). 64 bytes.
secure_bytes derive_isk(bytes_view sid, bytes_view k, bytes_view transcript);

}  // namespace cotab::crypto::cpace
