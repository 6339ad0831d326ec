#pragma once
// dtbctl's connection to a dtb-server: address, credentials (plaintext or
// TLS) and the bearer token every call carries.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <grpcpp/grpcpp.h>

#include "dtb/v1/simulation_service.grpc.pb.h"

namespace dtb::service {

struct ConnectionOptions {
    std::string server;      // HOST:PORT; empty: $DTB_SERVER, else 127.0.0.1:50051
    std::string token;       // empty: $DTB_TOKEN
    std::string token_file;  // read the token from this file instead
    std::string tls_ca_file; // PEM roots: use TLS; empty: $DTB_TLS_CA, else plaintext
};

/// A failed call: the gRPC status, shown as "NOT_FOUND: job ... does not exist".
class RpcError : public std::runtime_error {
public:
    RpcError(grpc::StatusCode code, const std::string& message);
    grpc::StatusCode code() const { return code_; }

private:
    grpc::StatusCode code_;
};

/// "NOT_FOUND", "UNAUTHENTICATED", ...
std::string status_code_name(grpc::StatusCode code);

/// Throws RpcError unless `status` is OK.
void check_status(const grpc::Status& status);

class ClientConnection {
public:
    /// Resolves options against the environment; throws std::runtime_error
    /// for an unreadable token or CA file.
    explicit ClientConnection(const ConnectionOptions& options);

    v1::SimulationService::Stub& stub() { return *stub_; }
    const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
    const std::string& server() const { return server_; }

    /// A context with the token and, if given, a deadline.
    std::unique_ptr<grpc::ClientContext> context(
        std::chrono::milliseconds timeout = std::chrono::milliseconds::zero()) const;

private:
    std::string server_;
    std::string token_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<v1::SimulationService::Stub> stub_;
};

} // namespace dtb::service
