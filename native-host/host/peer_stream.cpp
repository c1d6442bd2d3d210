#include "host/peer_stream.hpp"

#include <array>
#include <cassert>

#include "wire/ext_message.hpp"

namespace cotab::host {
namespace {

constexpr std::uint8_t kRecordMore = 0x00;
constexpr std::uint8_t kRecordLast = 0x01;
constexpr std::uint8_t kRecordEnd = 0x02;

void put_u32be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::vector<std::uint8_t> data_frame(std::vector<std::uint8_t>&& ciphertext) {
  ciphertext.insert(ciphertext.begin(), kStreamData);
  return std::move(ciphertext);
}

crypto::stream_sender make_sender(const secure_bytes& key, std::array<std::uint8_t, 24>& header) {
  return crypto::stream_sender::create(key, header);
}

}  // namespace

peer_writer::peer_writer(const secure_bytes& key, std::uint32_t epoch)
    : sender_([&] {
        std::array<std::uint8_t, 24> header{};
        auto s = make_sender(key, header);
        header_frame_.push_back(kStreamHeader);
        put_u32be(header_frame_, epoch);
        header_frame_.insert(header_frame_.end(), header.begin(), header.end());
        return s;
      }()) {}

void peer_writer::write_message(std::string_view json, const frame_emitter& emit) {
  assert(!ended_);
  auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(json.data()), json.size());
  compressor_.compress(bytes, protocol::limits::fragment_bytes, [&](std::span<const std::uint8_t> piece, bool last) {
    record_.clear();
    record_.push_back(last ? kRecordLast : kRecordMore);
    record_.insert(record_.end(), piece.begin(), piece.end());
    emit(data_frame(sender_.seal(record_, false)));
  });
}

std::vector<std::uint8_t> peer_writer::end_frame(std::string_view reason) {
  assert(!ended_);
  ended_ = true;
  record_.clear();
  record_.push_back(kRecordEnd);
  reason = reason.substr(0, kMaxEndReason);
  record_.insert(record_.end(), reason.begin(), reason.end());
  return data_frame(sender_.seal(record_, true));
}

peer_reader::peer_reader(secure_bytes key, std::uint32_t epoch) : key_(std::move(key)), epoch_(epoch) {}

result<peer_reader::event> peer_reader::on_frame(std::span<const std::uint8_t> frame) {
  auto fail = [&](errc code, std::string message) -> result<event> {
    failed_ = true;
    return make_error(code, std::move(message));
  };
  if (failed_) return make_error(errc::protocol_violation, "stream already failed");
  if (frame.empty()) return fail(errc::protocol_violation, "empty peer frame");
  if (ended_) return fail(errc::protocol_violation, "frame after the end of the stream");

  if (frame[0] == kStreamHeader) {
    if (receiver_) return fail(errc::protocol_violation, "second stream header");
    if (frame.size() != 1 + 4 + 24) return fail(errc::protocol_violation, "stream header has the wrong size");
    std::uint32_t epoch = (std::uint32_t{frame[1]} << 24) | (std::uint32_t{frame[2]} << 16) |
                          (std::uint32_t{frame[3]} << 8) | std::uint32_t{frame[4]};
    if (epoch != epoch_) return fail(errc::protocol_violation, "stream header for another key epoch");
    auto r = crypto::stream_receiver::create(key_, frame.subspan(5));
    if (!r) return fail(r.err().code, r.err().message);
    receiver_.emplace(std::move(*r));
    key_ = secure_bytes();  // the receiver holds its own copy of the state
    return event{};
  }
  if (frame[0] != kStreamData) return fail(errc::protocol_violation, "unexpected peer frame kind");
  if (!receiver_) return fail(errc::protocol_violation, "data before the stream header");
  if (frame.size() > 1 + 1 + protocol::limits::fragment_bytes + 64) {
    return fail(errc::protocol_violation, "peer frame larger than a fragment");
  }
  auto opened = receiver_->open(frame.subspan(1));
  if (!opened) return fail(opened.err().code, opened.err().message);
  auto& plain = opened->plaintext;
  if (plain.empty()) return fail(errc::protocol_violation, "empty record");
  const std::uint8_t record = plain[0];
  auto body = std::span<const std::uint8_t>(plain).subspan(1);

  if (record == kRecordEnd) {
    if (!opened->final) return fail(errc::protocol_violation, "end record without the final tag");
    if (body.size() > kMaxEndReason) return fail(errc::protocol_violation, "end reason too long");
    for (auto c : body) {
      if (c < 0x20 || c > 0x7e) return fail(errc::protocol_violation, "end reason is not printable ASCII");
    }
    ended_ = true;
    return event{event::kind::end, std::string(body.begin(), body.end())};
  }
  if (opened->final) return fail(errc::protocol_violation, "final tag on a data record");
  if (record != kRecordMore && record != kRecordLast) return fail(errc::protocol_violation, "unknown record type");
  if (auto r = decompressor_.feed(body, current_); !r) return fail(r.err().code, r.err().message);
  if (record == kRecordMore) return event{};
  if (auto r = wire::check_peer_data(current_); !r) return fail(r.err().code, r.err().message);
  event e{event::kind::message, std::move(current_)};
  current_ = std::string();
  return e;
}

}  // namespace cotab::host
