# wirescan_module(NAME [PUBLIC deps...] [PRIVATE deps...])
# Builds NAME from NAME/src/*.cpp as wirescan_NAME with the alias wirescan::NAME, public
# headers in NAME/include. The PUBLIC/PRIVATE lists mirror the dependency arrows
# core <- obs <- {ingest, enrich, sinks} <- app.
function(wirescan_module name)
  cmake_parse_arguments(ARG "" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp")
  add_library(wirescan_${name} STATIC ${sources})
  add_library(wirescan::${name} ALIAS wirescan_${name})
  target_include_directories(wirescan_${name} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/include")
  target_link_libraries(wirescan_${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE} wirescan_warnings)
endfunction()
