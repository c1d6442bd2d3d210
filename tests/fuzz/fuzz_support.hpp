#pragma once
// Shared by the fuzz targets: a property check that stays on in release builds (assert does
// not) and says which property failed before aborting, so libFuzzer and the replay programs
// both report it as a crash with a useful first line.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
