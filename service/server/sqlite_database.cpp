#include "service/server/sqlite_database.hpp"

#include <sqlite3.h>

namespace dtb::service {

SqliteDatabase::SqliteDatabase(const std::string& path)
    : path_(path)
{
    const int code = sqlite3_open_v2(path.c_str(), &handle_,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (code != SQLITE_OK) {
        const std::string message = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
        sqlite3_close(handle_);
        handle_ = nullptr;
        throw SqliteError("cannot open job database " + path + ": " + message);
    }
    sqlite3_busy_timeout(handle_, 5000);
    // WAL: readers never block the writer. NORMAL sync is durable against a
    // crash of this process (not against power loss) and keeps commits fast.
    execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(handle_); }

void SqliteDatabase::execute(const std::string& sql)
{
    char* error = nullptr;
    const int code = sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &error);
    if (code != SQLITE_OK) {
        const std::string message = error != nullptr ? error : sqlite3_errstr(code);
        sqlite3_free(error);
        throw SqliteError(path_ + ": " + message + " (in: " + sql + ")");
    }
}

SqliteStatement SqliteDatabase::prepare(const std::string& sql) { return SqliteStatement(*this, sql); }

std::int64_t SqliteDatabase::changes() const { return sqlite3_changes64(handle_); }

void SqliteDatabase::fail(int code, const std::string& what) const
{
    throw SqliteError(path_ + ": " + what + ": " + sqlite3_errmsg(handle_) + " (" + sqlite3_errstr(code) + ")");
}

SqliteStatement::SqliteStatement(SqliteDatabase& database, const std::string& sql)
    : database_(&database)
    , sql_(sql)
{
    const int code = sqlite3_prepare_v2(database.handle_, sql.c_str(), -1, &handle_, nullptr);
    if (code != SQLITE_OK)
        database.fail(code, "cannot prepare \"" + sql + "\"");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(handle_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : database_(other.database_)
    , handle_(other.handle_)
    , sql_(std::move(other.sql_))
{
    other.handle_ = nullptr;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value)
{
    const int code = sqlite3_bind_int64(handle_, index, value);
    if (code != SQLITE_OK)
        database_->fail(code, "cannot bind parameter " + std::to_string(index) + " of \"" + sql_ + "\"");
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::string& text)
{
    const int code = sqlite3_bind_text64(handle_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (code != SQLITE_OK)
        database_->fail(code, "cannot bind parameter " + std::to_string(index) + " of \"" + sql_ + "\"");
    return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int index, const std::string& bytes)
{
    const int code = sqlite3_bind_blob64(handle_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (code != SQLITE_OK)
        database_->fail(code, "cannot bind parameter " + std::to_string(index) + " of \"" + sql_ + "\"");
    return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index)
{
    const int code = sqlite3_bind_null(handle_, index);
    if (code != SQLITE_OK)
        database_->fail(code, "cannot bind parameter " + std::to_string(index) + " of \"" + sql_ + "\"");
    return *this;
}

bool SqliteStatement::step()
{
    const int code = sqlite3_step(handle_);
    if (code == SQLITE_ROW)
        return true;
    if (code == SQLITE_DONE)
        return false;
    database_->fail(code, "cannot run \"" + sql_ + "\"");
}

void SqliteStatement::run()
{
    while (step()) {
    }
}

std::int64_t SqliteStatement::column_int64(int index) const { return sqlite3_column_int64(handle_, index); }

std::optional<std::int64_t> SqliteStatement::column_optional_int64(int index) const
{
    if (sqlite3_column_type(handle_, index) == SQLITE_NULL)
        return std::nullopt;
    return sqlite3_column_int64(handle_, index);
}

std::string SqliteStatement::column_text(int index) const
{
    const auto* text = sqlite3_column_text(handle_, index);
    if (text == nullptr)
        return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(handle_, index)));
}

std::string SqliteStatement::column_blob(int index) const
{
    const void* blob = sqlite3_column_blob(handle_, index);
    if (blob == nullptr)
        return {};
    return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(sqlite3_column_bytes(handle_, index)));
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& database)
    : database_(database)
{
    database_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction()
{
    if (!done_) {
        try {
            database_.execute("ROLLBACK");
        } catch (...) {
            // Nothing more to do: the connection rolls back on its own when
            // the transaction cannot continue.
        }
    }
}

void SqliteTransaction::commit()
{
    database_.execute("COMMIT");
    done_ = true;
}

} // namespace dtb::service
