#pragma once
// The server's tokens, re-read from the tokens file on request (SIGHUP), so
// users can be added or tokens revoked without restarting the server and
// interrupting its jobs' watchers. A file that fails to parse is reported
// and the previous tokens stay in force: a typo never locks everyone out.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "service/server/token_authenticator.hpp"

namespace dtb::service {

class ReloadableTokens {
public:
    /// Reads `path`; throws std::runtime_error as TokenAuthenticator::from_file.
    explicit ReloadableTokens(std::string path);

    /// The caller holding `token` under the tokens in force, or nullopt.
    /// Safe to call from any thread, also during a reload.
    std::optional<Caller> authenticate(const std::string& token) const;

    /// Re-reads the file. Returns the number of users now in force, or
    /// throws std::runtime_error (naming the file and line) and keeps the
    /// previous tokens.
    std::size_t reload();

    std::size_t size() const;
    const std::string& path() const { return path_; }

private:
    std::shared_ptr<const TokenAuthenticator> current() const;

    std::string path_;
    mutable std::mutex mutex_;
    std::shared_ptr<const TokenAuthenticator> tokens_;
};

} // namespace dtb::service
