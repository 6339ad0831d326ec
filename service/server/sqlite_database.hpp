#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements
// with bound parameters, and transactions. Every failure throws
// SqliteError carrying SQLite's message, the database path and the SQL.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace dtb::service {

class SqliteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SqliteStatement;

class SqliteDatabase {
public:
    /// Opens (creating if missing) the database file, in WAL mode with a busy
    /// timeout, foreign keys on.
    explicit SqliteDatabase(const std::string& path);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    /// Runs one or more statements without results.
    void execute(const std::string& sql);
    SqliteStatement prepare(const std::string& sql);
    std::int64_t changes() const;
    const std::string& path() const { return path_; }

    /// Throws SqliteError for result `code` of an operation on this database.
    [[noreturn]] void fail(int code, const std::string& what) const;

private:
    friend class SqliteStatement;
    sqlite3* handle_ = nullptr;
    std::string path_;
};

class SqliteStatement {
public:
    SqliteStatement(SqliteDatabase& database, const std::string& sql);
    ~SqliteStatement();
    SqliteStatement(SqliteStatement&& other) noexcept;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;
    SqliteStatement& operator=(SqliteStatement&&) = delete;

    // Parameters are numbered from 1, as in SQL's "?1".
    SqliteStatement& bind(int index, std::int64_t value);
    SqliteStatement& bind(int index, const std::string& text);
    SqliteStatement& bind_blob(int index, const std::string& bytes);
    SqliteStatement& bind_null(int index);

    /// Advances to the next row; false when done.
    bool step();
    /// Runs a statement that returns no rows.
    void run();

    std::int64_t column_int64(int index) const;
    std::optional<std::int64_t> column_optional_int64(int index) const;
    std::string column_text(int index) const;
    std::string column_blob(int index) const;

private:
    SqliteDatabase* database_;
    sqlite3_stmt* handle_ = nullptr;
    std::string sql_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit().
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDatabase& database);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    void commit();

private:
    SqliteDatabase& database_;
    bool done_ = false;
};

} // namespace dtb::service
