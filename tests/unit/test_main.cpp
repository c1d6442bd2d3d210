#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "common/secure_bytes.hpp"

int main(int argc, char** argv) {
  cotab::ensure_sodium();
  doctest::Context context(argc, argv);
  return context.run();
}
