#include "service/client/client_connection.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dtb::service {

namespace {

std::string environment_or(const char* name, const std::string& fallback)
{
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string read_text_file(const std::string& path, const std::string& what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + what + " " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string trimmed(std::string text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

} // namespace

RpcError::RpcError(grpc::StatusCode code, const std::string& message)
    : std::runtime_error(status_code_name(code) + ": " + message)
    , code_(code)
{
}

std::string status_code_name(grpc::StatusCode code)
{
    switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return "STATUS_" + std::to_string(static_cast<int>(code));
    }
}

void check_status(const grpc::Status& status)
{
    if (!status.ok())
        throw RpcError(status.error_code(), status.error_message());
}

ClientConnection::ClientConnection(const ConnectionOptions& options)
{
    server_ = options.server.empty() ? environment_or("DTB_SERVER", "127.0.0.1:50051") : options.server;
    if (!options.token_file.empty())
        token_ = trimmed(read_text_file(options.token_file, "token file"));
    else
        token_ = options.token.empty() ? environment_or("DTB_TOKEN", "") : options.token;
    const std::string ca_file = options.tls_ca_file.empty() ? environment_or("DTB_TLS_CA", "") : options.tls_ca_file;
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (!ca_file.empty()) {
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = read_text_file(ca_file, "TLS CA file");
        credentials = grpc::SslCredentials(ssl);
    } else {
        credentials = grpc::InsecureChannelCredentials();
    }
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(server_, credentials, arguments);
    stub_ = v1::SimulationService::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> ClientConnection::context(std::chrono::milliseconds timeout) const
{
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token_.empty())
        context->AddMetadata("authorization", "Bearer " + token_);
    if (timeout.count() > 0)
        context->set_deadline(std::chrono::system_clock::now() + timeout);
    return context;
}

} // namespace dtb::service
