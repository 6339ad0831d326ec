#include "service/server/reloadable_tokens.hpp"

namespace dtb::service {

ReloadableTokens::ReloadableTokens(std::string path)
    : path_(std::move(path))
    , tokens_(std::make_shared<const TokenAuthenticator>(TokenAuthenticator::from_file(path_)))
{
}

std::shared_ptr<const TokenAuthenticator> ReloadableTokens::current() const
{
    std::lock_guard lock(mutex_);
    return tokens_;
}

std::optional<Caller> ReloadableTokens::authenticate(const std::string& token) const
{
    // The comparison runs outside the lock on the set in force when the
    // call began; a reload swaps in a new set without waiting for it.
    return current()->authenticate(token);
}

std::size_t ReloadableTokens::reload()
{
    auto fresh = std::make_shared<const TokenAuthenticator>(TokenAuthenticator::from_file(path_));
    const std::size_t users = fresh->size();
    std::lock_guard lock(mutex_);
    tokens_ = std::move(fresh);
    return users;
}

std::size_t ReloadableTokens::size() const { return current()->size(); }

} // namespace dtb::service
