#include "service/server/slurm_commands.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>

#include "service/server/command_output.hpp"

namespace dtb::service {

namespace {

std::string field(const std::string& text, const std::string& key)
{
    // Fields are separated by spaces; a key starts the text or follows one.
    const std::regex pattern("(^|\\s)" + key + "=(\\S*)");
    std::smatch match;
    if (std::regex_search(text, match, pattern))
        return match[2].str();
    return "";
}

std::string without_none(const std::string& reason) { return reason == "None" || reason == "(null)" ? "" : reason; }

void parse_exit_code(const std::string& text, SlurmJobInfo& info)
{
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        return;
    try {
        info.exit_code = std::stoi(text.substr(0, colon));
        const int signal = std::stoi(text.substr(colon + 1));
        if (signal > 0)
            info.exit_signal = signal;
    } catch (const std::exception&) {
        info.exit_code.reset();
    }
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            lines.push_back(line);
    return lines;
}

} // namespace

std::optional<double> parse_slurm_elapsed(const std::string& text)
{
    static const std::regex pattern("^(?:(\\d+)-)?(?:(\\d+):)?(\\d+):(\\d+)$");
    std::smatch match;
    if (!std::regex_match(text, match, pattern))
        return std::nullopt;
    const double days = match[1].matched ? std::stod(match[1].str()) : 0;
    const double hours = match[2].matched ? std::stod(match[2].str()) : 0;
    return ((days * 24 + hours) * 60 + std::stod(match[3].str())) * 60 + std::stod(match[4].str());
}

std::optional<SlurmJobInfo> parse_scontrol_job(const std::string& text)
{
    SlurmJobInfo info;
    info.job_id = field(text, "JobId");
    info.state = field(text, "JobState");
    if (info.job_id.empty() || info.state.empty())
        return std::nullopt;
    info.reason = without_none(field(text, "Reason"));
    info.elapsed_s = parse_slurm_elapsed(field(text, "RunTime"));
    parse_exit_code(field(text, "ExitCode"), info);
    return info;
}

SlurmCommands::SlurmCommands(SlurmCommandsOptions options)
    : options_(std::move(options))
{
}

std::string SlurmCommands::tool(const std::string& name) const
{
    return options_.bin_directory.empty() ? name : options_.bin_directory + "/" + name;
}

std::string SlurmCommands::submit(const std::string& script_path, const std::string& working_directory) const
{
    const CommandOutput output
        = run_command({tool("sbatch"), "--parsable", "--chdir=" + working_directory, script_path}, options_.timeout);
    if (!output.succeeded())
        throw std::runtime_error("sbatch failed: " + output.failure_text());
    // --parsable prints "ID" or "ID;CLUSTER".
    std::string id = output.standard_output.substr(0, output.standard_output.find_first_of(";\n"));
    if (id.empty() || id.find_first_not_of("0123456789_") != std::string::npos)
        throw std::runtime_error("sbatch printed no job id: '" + output.standard_output + "'");
    return id;
}

std::optional<std::map<std::string, SlurmJobInfo>> SlurmCommands::queue(const std::vector<std::string>& job_ids) const
{
    std::map<std::string, SlurmJobInfo> jobs;
    if (job_ids.empty())
        return jobs;
    std::string id_list;
    for (const auto& id : job_ids)
        id_list += (id_list.empty() ? "" : ",") + id;
    const CommandOutput output = run_command(
        {tool("squeue"), "--noheader", "--states=all", "--jobs=" + id_list, "--format=%i|%T|%r|%M"},
        options_.timeout);
    if (!output.succeeded())
        return std::nullopt;
    for (const auto& line : lines_of(output.standard_output)) {
        std::vector<std::string> parts;
        std::istringstream in(line);
        std::string part;
        while (std::getline(in, part, '|'))
            parts.push_back(part);
        if (parts.size() < 4)
            continue;
        SlurmJobInfo info;
        info.job_id = parts[0];
        info.state = parts[1];
        info.reason = without_none(parts[2]);
        info.elapsed_s = parse_slurm_elapsed(parts[3]);
        jobs[info.job_id] = info;
    }
    return jobs;
}

std::optional<SlurmJobInfo> SlurmCommands::job(const std::string& job_id) const
{
    const CommandOutput shown = run_command({tool("scontrol"), "show", "job", "--oneliner", job_id}, options_.timeout);
    if (shown.succeeded())
        if (auto info = parse_scontrol_job(shown.standard_output))
            return info;
    // Aged out of the controller's memory (MinJobAge): ask accounting, when
    // there is any. Without it sacct fails, and the job is unknown.
    const CommandOutput accounted = run_command({tool("sacct"), "--noheader", "--parsable2", "--allocations",
                                                    "--jobs=" + job_id, "--format=JobID,State,ExitCode,Elapsed"},
        options_.timeout);
    if (!accounted.succeeded())
        return std::nullopt;
    for (const auto& line : lines_of(accounted.standard_output)) {
        std::vector<std::string> parts;
        std::istringstream in(line);
        std::string part;
        while (std::getline(in, part, '|'))
            parts.push_back(part);
        if (parts.size() < 4 || parts[0] != job_id)
            continue;
        SlurmJobInfo info;
        info.job_id = job_id;
        info.state = parts[1];
        parse_exit_code(parts[2], info);
        info.elapsed_s = parse_slurm_elapsed(parts[3]);
        return info;
    }
    return std::nullopt;
}

std::optional<std::string> SlurmCommands::job_named(const std::string& job_name) const
{
    const CommandOutput output = run_command(
        {tool("squeue"), "--noheader", "--states=all", "--name=" + job_name, "--format=%i"}, options_.timeout);
    if (!output.succeeded())
        return std::nullopt;
    const auto lines = lines_of(output.standard_output);
    if (lines.empty())
        return std::nullopt;
    return lines.back();
}

bool SlurmCommands::cancel(const std::string& job_id, std::string& error) const
{
    const CommandOutput output = run_command({tool("scancel"), job_id}, options_.timeout);
    if (output.succeeded())
        return true;
    error = output.failure_text();
    return false;
}

bool SlurmCommands::pmix_available() const
{
    const CommandOutput output = run_command({tool("srun"), "--mpi=list"}, options_.timeout);
    // srun prints the list on stderr in some versions, stdout in others.
    const std::string text = output.standard_output + output.standard_error;
    return output.succeeded() && std::regex_search(text, std::regex("\\bpmix"));
}

std::string SlurmCommands::check_reachable() const
{
    const CommandOutput output = run_command({tool("sinfo"), "--noheader", "--format=%P"}, options_.timeout);
    return output.succeeded() ? "" : "sinfo: " + output.failure_text();
}

} // namespace dtb::service
