#pragma once
// Bearer-token authentication from a tokens file: one `USER TOKEN [admin]`
// per line, `#` comments and blank lines ignored. Tokens are compared in
// constant time (no early exit, every entry examined).
#include <optional>
#include <string>
#include <vector>

namespace dtb::service {

/// Who is calling.
struct Caller {
    std::string user;
    bool admin = false;
};

class TokenAuthenticator {
public:
    /// Reads the tokens file; throws std::runtime_error naming the file and
    /// line for a malformed line, a duplicate token or user, or no entries.
    static TokenAuthenticator from_file(const std::string& path);

    /// Parses tokens-file text; `source_name` is used in errors.
    static TokenAuthenticator from_text(const std::string& text, const std::string& source_name);

    /// The caller holding `token`, or nullopt.
    std::optional<Caller> authenticate(const std::string& token) const;

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::string token;
        Caller caller;
    };
    std::vector<Entry> entries_;
};

/// True when `a` and `b` are equal; the time taken depends only on the
/// longer length, not on where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

} // namespace dtb::service
