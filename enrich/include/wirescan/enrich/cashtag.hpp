#pragma once
// Cashtag extraction with twitter-text's semantics (conformance/extract.yml):
//   (^|unicode space) '$' [A-Za-z]{1,6} ([._][A-Za-z]{1,2})?  followed by end, space or ASCII punctuation.
// So "$TSLA", "$BRK.B" and "$Stock_X" are cashtags; "$5", "$test123", "text$NO", "$ストック"
// and seven-letter runs are not. Pure and allocation-free apart from the output vector.

#include <cstdint>
#include <string_view>
#include <vector>

namespace wirescan::enrich {

struct cashtag {
  std::string_view symbol;  // as written, without the '$' (a view into the scanned text)
  std::uint32_t start;      // byte offset of the '$'
  std::uint32_t end;        // byte offset just past the symbol
};

// Appends every cashtag in text to out, in order of appearance.
void extract_cashtags(std::string_view text, std::vector<cashtag>& out);

}  // namespace wirescan::enrich
