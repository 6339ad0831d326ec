#include "service/server/token_authenticator.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace dtb::service {

bool constant_time_equal(const std::string& a, const std::string& b)
{
    const std::size_t length = std::max(a.size(), b.size());
    unsigned difference = a.size() == b.size() ? 0u : 1u;
    for (std::size_t i = 0; i < length; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        difference |= static_cast<unsigned>(x ^ y);
    }
    // Keep the compiler from turning the loop into an early-exit compare.
    volatile unsigned result = difference;
    return result == 0;
}

TokenAuthenticator TokenAuthenticator::from_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read tokens file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return from_text(text.str(), path);
}

TokenAuthenticator TokenAuthenticator::from_text(const std::string& text, const std::string& source_name)
{
    TokenAuthenticator authenticator;
    std::set<std::string> users, tokens;
    std::istringstream lines(text);
    std::string line;
    int line_number = 0;
    while (std::getline(lines, line)) {
        ++line_number;
        const auto fail = [&](const std::string& message) {
            throw std::runtime_error(source_name + ": line " + std::to_string(line_number) + ": " + message);
        };
        if (const auto hash = line.find('#'); hash != std::string::npos)
            line.erase(hash);
        std::istringstream fields(line);
        std::vector<std::string> words;
        for (std::string word; fields >> word;)
            words.push_back(word);
        if (words.empty())
            continue;
        if (words.size() < 2 || words.size() > 3)
            fail("expected 'USER TOKEN [admin]', got " + std::to_string(words.size()) + " fields");
        if (words.size() == 3 && words[2] != "admin")
            fail("the third field may only be 'admin', got '" + words[2] + "'");
        if (words[1].size() < 16)
            fail("the token of user '" + words[0] + "' is shorter than 16 characters");
        if (!users.insert(words[0]).second)
            fail("user '" + words[0] + "' appears twice");
        if (!tokens.insert(words[1]).second)
            fail("the token of user '" + words[0] + "' is also another user's token");
        authenticator.entries_.push_back(Entry{words[1], Caller{words[0], words.size() == 3}});
    }
    if (authenticator.entries_.empty())
        throw std::runtime_error(source_name + ": no 'USER TOKEN [admin]' lines");
    return authenticator;
}

std::optional<Caller> TokenAuthenticator::authenticate(const std::string& token) const
{
    std::optional<Caller> found;
    for (const auto& entry : entries_)
        if (constant_time_equal(entry.token, token))
            found = entry.caller;
    return found;
}

} // namespace dtb::service
