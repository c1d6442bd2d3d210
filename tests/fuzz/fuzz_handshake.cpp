// libFuzzer target: drives both handshake roles with peer frames cut from the input.
// Input layout: byte 0 chooses the mode, then frames as [len:1][bytes:len]... (a length past the
// end takes the rest). Modes:
//   bit 0     which side receives the fuzzed frames (0 = responder, 1 = initiator)
//   bit 1     feed the genuine cpace-a (responder) / cpace-b (initiator) first, so the fuzzed
//             frames reach the later states
//   bit 2     interleave: after each fuzzed frame, also feed the side's genuine next frame
// Asserts only that nothing crashes, every error is a registry code, and a failed handshake stays
// failed. Builds with clang -fsanitize=fuzzer, or as a replay program with any main that calls
// LLVMFuzzerTestOneInput.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "crypto/handshake.hpp"

namespace {

using cotab::crypto::handshake;
using cotab::crypto::role;

// The parameters of shared/protocol/vectors/handshake.json, so the seed corpus (built from its
// frames) reaches every state, including confirmed.
const cotab::secure_bytes& password() {
  static const cotab::secure_bytes pw(cotab::crypto::cpace::as_bytes("4821-937204"));
  return pw;
}

const std::vector<std::uint8_t>& sid() {
  static const std::vector<std::uint8_t> s = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                              0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
  return s;
}

constexpr std::uint8_t initiator_scalar[32] = {
    0xda, 0x3d, 0x23, 0x70, 0x0a, 0x9e, 0x56, 0x99, 0x25, 0x8a, 0xef, 0x94, 0xdc, 0x06, 0x0d, 0xfd,
    0xa5, 0xeb, 0xb6, 0x1f, 0x02, 0xa5, 0xea, 0x77, 0xfa, 0xd5, 0x3f, 0x4f, 0xf0, 0x97, 0x6d, 0x08};
constexpr std::uint8_t responder_scalar[32] = {
    0xd2, 0x31, 0x6b, 0x45, 0x47, 0x18, 0xc3, 0x53, 0x62, 0xd8, 0x3d, 0x69, 0xdf, 0x63, 0x20, 0xf3,
    0x85, 0x78, 0xed, 0x59, 0x84, 0x65, 0x14, 0x35, 0xe2, 0x94, 0x97, 0x62, 0xd9, 0x00, 0xb8, 0x0d};

void check(bool ok) {
  if (!ok) std::abort();
}

void feed(handshake& h, std::span<const std::uint8_t> frame) {
  const bool was_failed = h.failed();
  auto r = h.on_frame(frame);
  if (r) {
    check(!was_failed);
    check(r->size() <= cotab::crypto::cpace_b_frame_bytes);
  } else {
    check(r.err().code != cotab::errc::ok);
    check(h.failed());
    check(!h.confirmed());
  }
  if (h.confirmed()) {
    check(h.sas().size() == 7);
    check(h.stream_key(0, true).size() == 32);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::span<const std::uint8_t> rest(data + 1, size - 1);

  // Deterministic scalars keep the fuzzer's coverage stable across runs.
  auto initiator = handshake::with_scalar(role::initiator, password(), sid(), initiator_scalar);
  auto responder = handshake::with_scalar(role::responder, password(), sid(), responder_scalar);
  auto cpace_a = initiator.start();
  std::vector<std::uint8_t> cpace_b;
  {
    auto peer = handshake::with_scalar(role::responder, password(), sid(), responder_scalar);
    auto b = peer.on_frame(cpace_a);
    if (b) cpace_b = *b;
  }

  const bool fuzz_initiator = (mode & 1) != 0;
  handshake& target = fuzz_initiator ? initiator : responder;
  const std::vector<std::uint8_t>& genuine = fuzz_initiator ? cpace_b : cpace_a;
  if ((mode & 2) != 0) feed(target, genuine);

  while (!rest.empty()) {
    std::size_t len = rest[0];
    rest = rest.subspan(1);
    if (len > rest.size()) len = rest.size();
    feed(target, rest.first(len));
    rest = rest.subspan(len);
    if ((mode & 4) != 0) feed(target, genuine);
  }
  return 0;
}
