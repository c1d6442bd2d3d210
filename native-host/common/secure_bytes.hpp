#pragma once
// Move-only owner of secret bytes in sodium_malloc'd memory (guard pages, mlock'd where the OS
// allows, zeroed on free). Secrets never live in std::string, std::vector or JSON objects.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cotab {

class secure_bytes {
 public:
  secure_bytes() noexcept = default;
  explicit secure_bytes(std::size_t size);  // zero-filled; aborts if sodium cannot allocate
  secure_bytes(std::span<const std::uint8_t> copy_from);
  ~secure_bytes();

  secure_bytes(secure_bytes&& other) noexcept;
  secure_bytes& operator=(secure_bytes&& other) noexcept;
  secure_bytes(const secure_bytes&) = delete;
  secure_bytes& operator=(const secure_bytes&) = delete;

  std::uint8_t* data() noexcept { return data_; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<std::uint8_t> span() noexcept { return {data_, size_}; }
  std::span<const std::uint8_t> span() const noexcept { return {data_, size_}; }
  // A view for code that needs characters (e.g. a session code being parsed). Never copy it
  // into a std::string.
  std::string_view chars() const noexcept { return {reinterpret_cast<const char*>(data_), size_}; }

  // Constant-time comparison (sodium_memcmp); sizes are not secret.
  bool equals(std::span<const std::uint8_t> other) const noexcept;

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Initializes libsodium once; safe to call from anywhere, aborts if libsodium cannot start.
void ensure_sodium();

}  // namespace cotab
