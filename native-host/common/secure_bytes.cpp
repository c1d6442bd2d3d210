#include "common/secure_bytes.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace cotab {

void ensure_sodium() {
  if (sodium_init() < 0) {
    std::fputs("cotab: libsodium failed to initialize\n", stderr);
    std::abort();
  }
}

secure_bytes::secure_bytes(std::size_t size) : size_(size) {
  ensure_sodium();
  if (size_ == 0) return;
  data_ = static_cast<std::uint8_t*>(sodium_malloc(size_));
  if (data_ == nullptr) {
    std::fputs("cotab: sodium_malloc failed\n", stderr);
    std::abort();
  }
  sodium_memzero(data_, size_);
}

secure_bytes::secure_bytes(std::span<const std::uint8_t> copy_from) : secure_bytes(copy_from.size()) {
  if (!copy_from.empty()) std::memcpy(data_, copy_from.data(), copy_from.size());
}

secure_bytes::~secure_bytes() {
  if (data_ != nullptr) sodium_free(data_);  // zeroes before freeing
}

secure_bytes::secure_bytes(secure_bytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

secure_bytes& secure_bytes::operator=(secure_bytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

bool secure_bytes::equals(std::span<const std::uint8_t> other) const noexcept {
  if (other.size() != size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, other.data(), size_) == 0;
}

}  // namespace cotab
