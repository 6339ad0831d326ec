// dtbctl against a real server: the commands a user types, their output and
// exit codes, and error messages that carry the gRPC status name.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "file_text.hpp"
#include "server_process.hpp"
#include "test_models.hpp"

namespace fs = std::filesystem;
using namespace dtb::service::testing;

namespace {

struct CommandResult {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs dtbctl with `arguments` (already shell-quoted where needed) and the
// given environment assignments.
CommandResult dtbctl(const fs::path& scratch, const std::string& environment, const std::string& arguments)
{
    const fs::path err_file = scratch / "dtbctl.err";
    const std::string command = environment + " " + DTBCTL_EXECUTABLE + " " + arguments + " 2>" + err_file.string();
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return result;
    std::array<char, 4096> buffer{};
    std::size_t count = 0;
    while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        result.out.append(buffer.data(), count);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = read_file(err_file);
    return result;
}

} // namespace

TEST(Dtbctl, SubmitWaitStatusListFetchAndErrors)
{
    TemporaryDirectory root;
    ServerProcess server(root.path());
    const std::string as_alice = std::string("DTB_SERVER=") + server.address() + " DTB_TOKEN=" + TestTokens::alice;
    const fs::path model = root.path() / "quick.yaml";
    std::ofstream(model) << quick_model_yaml();

    auto result = dtbctl(root.path(), as_alice, "health --wait 10s");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("SERVING"), std::string::npos);

    result = dtbctl(root.path(), as_alice, "submit " + model.string() + " --wait --label purpose=test");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    const std::string id = result.out.substr(0, result.out.find('\n'));
    ASSERT_EQ(id.size(), 18u) << result.out;
    EXPECT_NE(result.out.find(id + ": SUCCEEDED"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("RUNNING"), std::string::npos) << "progress goes to stderr: " << result.err;

    result = dtbctl(root.path(), as_alice, "status " + id);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("SUCCEEDED"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("purpose=test"), std::string::npos) << result.out;

    result = dtbctl(root.path(), as_alice, "status " + id + " --json");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("\"state\": \"SUCCEEDED\""), std::string::npos) << result.out;

    result = dtbctl(root.path(), as_alice, "list --state succeeded");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find(id), std::string::npos) << result.out;

    const fs::path out = root.path() / "fetched";
    result = dtbctl(root.path(), as_alice, "fetch " + id + " --out " + out.string());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(read_file(out / "summary.json"), read_file(server.job_directory(id) / "summary.json"));
    EXPECT_EQ(read_file(out / "spikes.h5"), read_file(server.job_directory(id) / "spikes.h5"));
    EXPECT_FALSE(fs::exists(out / "summary.json.partial"));

    result = dtbctl(root.path(), as_alice, "watch " + id);
    EXPECT_EQ(result.exit_code, 0) << result.err;

    result = dtbctl(root.path(), as_alice, "cancel " + id);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("dtbctl: error: FAILED_PRECONDITION: "), std::string::npos) << result.err;

    result = dtbctl(root.path(), as_alice, "status j-0123456789abcdef");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("dtbctl: error: NOT_FOUND: "), std::string::npos) << result.err;

    result = dtbctl(root.path(), std::string("DTB_SERVER=") + server.address() + " DTB_TOKEN=", "list");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("dtbctl: error: UNAUTHENTICATED: "), std::string::npos) << result.err;

    result = dtbctl(root.path(), "DTB_SERVER=" + server.address() + " DTB_TOKEN=" + TestTokens::bob, "status " + id);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("dtbctl: error: PERMISSION_DENIED: "), std::string::npos) << result.err;

    // --server and --token on the command line win over the environment.
    result = dtbctl(root.path(), "DTB_SERVER=127.0.0.1:1 DTB_TOKEN=nothing",
        std::string("--server ") + server.address() + " --token " + TestTokens::alice + " status " + id);
    EXPECT_EQ(result.exit_code, 0) << result.err;

    const fs::path bad = root.path() / "bad.yaml";
    std::ofstream(bad) << zero_size_model_yaml();
    result = dtbctl(root.path(), as_alice, "submit " + bad.string());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("INVALID_ARGUMENT: spec.simulation.model.populations[0].size"), std::string::npos)
        << result.err;

    const fs::path unknown_key = root.path() / "typo.yaml";
    std::ofstream(unknown_key) << "name: typo\npopulation: []\n";
    result = dtbctl(root.path(), as_alice, "submit " + unknown_key.string());
    EXPECT_EQ(result.exit_code, 2) << "a model file dtbctl cannot read is a usage error";
    EXPECT_NE(result.err.find("population"), std::string::npos) << result.err;

    result = dtbctl(root.path(), "DTB_SERVER=127.0.0.1:1 DTB_TOKEN=x", "list");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("dtbctl: error: UNAVAILABLE: "), std::string::npos) << result.err;

    // A retried submit with the same --request-id prints the first job's id.
    result = dtbctl(root.path(), as_alice, "submit " + model.string() + " --request-id nightly-7");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::string first = result.out;
    result = dtbctl(root.path(), as_alice, "submit " + model.string() + " --request-id nightly-7");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, first);
    EXPECT_NE(result.out, id + "\n");
}

TEST(Dtbctl, SpeaksTlsToAServerWithACertificate)
{
    TemporaryDirectory root;
    const fs::path certificate = root.path() / "server.crt";
    const fs::path key = root.path() / "server.key";
    const std::string make_certificate = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
                                         " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "
        + key.string() + " -out " + certificate.string() + " >/dev/null 2>&1";
    if (std::system(make_certificate.c_str()) != 0)
        GTEST_SKIP() << "openssl cannot make a test certificate";
    ServerProcess server(root.path(), {"--tls-cert", certificate.string(), "--tls-key", key.string()});
    const std::string environment = "DTB_SERVER=" + server.address() + " DTB_TOKEN=" + TestTokens::alice;

    auto result = dtbctl(root.path(), environment + " DTB_TLS_CA=" + certificate.string(), "list");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("STATE"), std::string::npos) << result.out;
    result = dtbctl(root.path(), environment, "--tls-ca " + certificate.string() + " health");
    EXPECT_EQ(result.exit_code, 0) << result.err;

    // A plaintext client gets nowhere.
    result = dtbctl(root.path(), environment, "list");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("UNAVAILABLE"), std::string::npos) << result.err;
}
