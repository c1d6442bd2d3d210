# Generates cotab/protocol/generated.hpp from shared/protocol/errors.json and limits.json.
# Runs at configure time; CMAKE_CONFIGURE_DEPENDS re-runs it whenever either file changes,
# so the header can never be stale (nothing generated is committed).
function(cotab_generate_protocol_header src_dir out_file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    "${src_dir}/errors.json" "${src_dir}/limits.json")
  file(READ "${src_dir}/errors.json" errors_json)
  file(READ "${src_dir}/limits.json" limits_json)

  set(enum_lines "")
  set(name_cases "")
  set(fatal_cases "")
  set(parse_lines "")
  string(JSON n_errors LENGTH "${errors_json}" errors)
  math(EXPR last "${n_errors} - 1")
  set(seen_ids "")
  foreach(i RANGE ${last})
    string(JSON id GET "${errors_json}" errors ${i} id)
    string(JSON code GET "${errors_json}" errors ${i} code)
    string(JSON fatal GET "${errors_json}" errors ${i} fatal)
    if(id IN_LIST seen_ids)
      message(FATAL_ERROR "errors.json: id ${id} used twice")
    endif()
    list(APPEND seen_ids ${id})
    string(REPLACE "-" "_" ident "${code}")
    string(APPEND enum_lines "  ${ident} = ${id},\n")
    string(APPEND name_cases "    case errc::${ident}: return \"${code}\";\n")
    if(fatal)
      string(APPEND fatal_cases "    case errc::${ident}: return true;\n")
    endif()
    string(APPEND parse_lines "  if (name == \"${code}\") return errc::${ident};\n")
  endforeach()

  set(limit_lines "")
  string(JSON n_limits LENGTH "${limits_json}" limits)
  math(EXPR last "${n_limits} - 1")
  foreach(i RANGE ${last})
    string(JSON lname GET "${limits_json}" limits ${i} name)
    string(JSON lvalue GET "${limits_json}" limits ${i} value)
    string(JSON lmeaning GET "${limits_json}" limits ${i} meaning)
    string(APPEND limit_lines "// ${lmeaning}\ninline constexpr std::uint64_t ${lname} = ${lvalue}ULL;\n")
  endforeach()

  set(content "// GENERATED from shared/protocol/{errors,limits}.json by cmake/GenerateProtocol.cmake.
// Do not edit; edit the JSON and re-run cmake.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace cotab::protocol {

enum class errc : int {
  ok = 0,
${enum_lines}};

constexpr std::string_view error_name(errc e) noexcept {
  switch (e) {
    case errc::ok: return \"ok\";
${name_cases}  }
  return \"internal\";
}

constexpr bool error_is_fatal(errc e) noexcept {
  switch (e) {
${fatal_cases}    default: return false;
  }
}

inline std::optional<errc> parse_error_name(std::string_view name) noexcept {
${parse_lines}  return std::nullopt;
}

namespace limits {
${limit_lines}}  // namespace limits

}  // namespace cotab::protocol
")
  # Write only when changed, so an unrelated reconfigure does not rebuild everything.
  if(EXISTS "${out_file}")
    file(READ "${out_file}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${out_file}" "${content}")
endfunction()
