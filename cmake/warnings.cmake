# One INTERFACE target carries the warning flags; every wirescan target links it.
add_library(wirescan_warnings INTERFACE)
target_compile_options(wirescan_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                                   -Wimplicit-fallthrough)
if(WIRESCAN_WERROR)
  target_compile_options(wirescan_warnings INTERFACE -Werror)
endif()
