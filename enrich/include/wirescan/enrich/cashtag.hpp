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

// Appends every cashtag in text to out, in order of appearance (strict twitter-text).
void extract_cashtags(std::string_view text, std::vector<cashtag>& out);

// wirescan's cashtags: twitter-text's, plus what wires and feeds actually print:
// - after opening brackets and quotes, dashes and slashes: "($NVDA)", "“$AAPL”", "—$TSLA";
// - before any Unicode punctuation: "$NVDA—", "$AAPL…";
// - symbols with digits or up to 10 characters when the symbol table knows them ($1INCH);
// - StockTwits crypto notation "$BTC.X" (symbol BTC, crypto = true);
// - tags a distributor glued onto the end of the text ("...landscap$BTC"), which count only
//   when nothing but other cashtags follows them.
// Never amounts: "$5", "$2.5bn" and "US$100" have no letter first.
struct extended_cashtag {
  cashtag tag;
  bool stocktwits_crypto;  // written as $SYM.X
};

template <class Known>
void extract_cashtags_extended(std::string_view text, std::vector<extended_cashtag>& out, const Known& known);

namespace detail {
bool extended_cashtag_at(std::string_view text, std::size_t dollar, bool (*known)(const void*, std::string_view),
                         const void* ctx, extended_cashtag& out);
}

template <class Known>
void extract_cashtags_extended(std::string_view text, std::vector<extended_cashtag>& out, const Known& known) {
  const auto call = [](const void* ctx, std::string_view sym) { return (*static_cast<const Known*>(ctx))(sym); };
  for (std::size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i + 1)) {
    extended_cashtag c{};
    if (detail::extended_cashtag_at(text, i, call, &known, c)) out.push_back(c);
  }
}

}  // namespace wirescan::enrich
