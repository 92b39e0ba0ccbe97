# Sanitizer and fuzzing builds. Both apply to every target so the whole path is instrumented.
#   -DWIRESCAN_SANITIZE=address,undefined   the CI sanitiser suite (make sanitize)
#   -DWIRESCAN_SANITIZE=thread              the TSan run of the concurrent parts (scripts/tsan.sh)
#   -DWIRESCAN_FUZZ=ON                      libFuzzer targets in tests/fuzz (clang only; make fuzz)
set(WIRESCAN_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for every target (empty: none)")
option(WIRESCAN_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

if(WIRESCAN_SANITIZE)
  # -O1 -g1 rather than RelWithDebInfo's -O2 -g: -O1 is what the sanitizers' own docs advise,
  # and line tables are all a report's stack trace needs. It halves the compile (run_command.cpp
  # under ASan: 15 s against 31 s), which was a fifth of a CI run.
  if(CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo")
    set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1 -DNDEBUG")
  endif()
  # No recovery: the first report fails the test that triggered it.
  add_compile_options(-fsanitize=${WIRESCAN_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${WIRESCAN_SANITIZE})
  if(WIRESCAN_SANITIZE MATCHES "thread")
    # librdkafka's C11 threads must start through pthread_create for TSan to see them.
    add_library(wirescan_tsan_threads OBJECT "${CMAKE_CURRENT_LIST_DIR}/tsan_c11_threads.cpp")
    link_libraries(wirescan_tsan_threads)
  endif()
endif()

if(WIRESCAN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WIRESCAN_FUZZ needs clang (CXX=clang++); found ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # Coverage instrumentation everywhere; only the fuzz targets link libFuzzer's main.
  # pointer-overflow stays recoverable only so tests/fuzz/ubsan.supp can silence RapidJSON 1.1's
  # null+0 in internal/stack.h (fixed upstream after 1.1.0); `make fuzz` sets halt_on_error=1,
  # so any other report still stops the run.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
