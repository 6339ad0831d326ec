#include "service/client/job_printing.hpp"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "service/common/duration_text.hpp"
#include "service/common/job_kind_text.hpp"
#include "service/common/job_state_text.hpp"

namespace dtb::service {

namespace {

using google::protobuf::util::TimeUtil;

bool is_set(const google::protobuf::Timestamp& time) { return time.seconds() != 0 || time.nanos() != 0; }

std::string time_text(const google::protobuf::Timestamp& time)
{
    if (!is_set(time))
        return "-";
    const std::string text = TimeUtil::ToString(time);
    // "2024-05-01T12:00:00.123456Z" -> "2024-05-01 12:00:00Z"
    const auto dot = text.find('.');
    std::string shown = dot == std::string::npos ? text : text.substr(0, dot) + "Z";
    if (shown.size() > 10 && shown[10] == 'T')
        shown[10] = ' ';
    return shown;
}

std::string format(const char* pattern, double a, double b = 0, double c = 0)
{
    char text[128];
    std::snprintf(text, sizeof text, pattern, a, b, c);
    return text;
}

} // namespace

std::string progress_bar(double fraction, int width)
{
    const double clamped = std::isfinite(fraction) ? std::min(1.0, std::max(0.0, fraction)) : 0.0;
    const int filled = static_cast<int>(std::lround(clamped * width));
    return "[" + std::string(static_cast<std::size_t>(filled), '#')
        + std::string(static_cast<std::size_t>(width - filled), '-') + "]";
}

std::string progress_text(const v1::Job& job)
{
    std::string text = job_state_name(job.state());
    const auto& progress = job.progress();
    if (job.state() == v1::STARTING) {
        text += "  building the network";
    } else if (job.state() == v1::RUNNING && progress.total_ms() > 0) {
        text += "  " + progress.phase() + format(" %3.0f%%", 100.0 * progress.fraction())
            + format("  t = %.1f / %.1f ms", progress.simulated_ms(), progress.total_ms())
            + format("  rtf %.2f", progress.real_time_factor()) + "  eta " + format_duration(progress.eta_s());
    } else if (job.state() == v1::RUNNING && progress.fraction() > 0) {
        // Progress counted in steps other than simulated time (assimilated TRs).
        text += "  " + progress.phase() + format(" %3.0f%%", 100.0 * progress.fraction()) + "  eta "
            + format_duration(progress.eta_s());
    } else if (job.state() == v1::RUNNING) {
        text += "  network built";
    }
    if (job.cancel_requested())
        text += "  (cancelling)";
    return text;
}

void print_job_status(std::ostream& out, const v1::Job& job)
{
    const auto& spec = job.spec();
    out << "job:        " << job.id() << "\n";
    out << "owner:      " << job.owner() << "\n";
    out << "state:      " << job_state_name(job.state()) << (job.cancel_requested() ? " (cancel requested)" : "")
        << "\n";
    if (!job.reason().empty())
        out << "reason:     " << job.reason() << "\n";
    if (job.has_exit_code())
        out << "exit code:  " << job.exit_code() << "\n";
    if (!job.batch().job_id().empty())
        out << "batch job:  " << job.batch().system() << " " << job.batch().job_id()
            << (job.batch().state().empty() ? "" : " " + job.batch().state())
            << (job.batch().reason().empty() ? "" : " (" + job.batch().reason() + ")") << "\n";
    out << "kind:       " << job_kind_name(spec) << "\n";
    out << (spec.has_brain_build() ? "atlas:      " : "model:      ") << job_subject(spec) << "\n";
    out << "ranks:      " << std::max<std::uint32_t>(1, spec.resources().ranks()) << "\n";
    if (spec.resources().has_time_limit())
        out << "time limit: " << format_duration(static_cast<double>(spec.resources().time_limit().seconds()))
            << "\n";
    for (const auto& [key, value] : spec.labels())
        out << "label:      " << key << "=" << value << "\n";
    if (job.state() == v1::RUNNING || job.state() == v1::STARTING)
        out << "progress:   " << progress_bar(job.progress().fraction(), 20) << " " << progress_text(job) << "\n";
    out << "created:    " << time_text(job.created_at()) << "\n";
    out << "started:    " << time_text(job.started_at()) << "\n";
    out << "finished:   " << time_text(job.finished_at()) << "\n";
}

std::string job_json(const v1::Job& job)
{
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    std::string json;
    const auto status = google::protobuf::util::MessageToJsonString(job, &json, options);
    if (!status.ok())
        throw std::runtime_error("cannot write job " + job.id() + " as JSON: " + std::string(status.message()));
    return json;
}

void print_job_table(std::ostream& out, const std::vector<v1::Job>& jobs)
{
    out << std::left << std::setw(20) << "ID" << std::setw(11) << "STATE" << std::setw(12) << "OWNER"
        << std::setw(6) << "RANKS" << std::setw(22) << "CREATED" << std::setw(20) << "MODEL"
        << "DETAIL\n";
    for (const auto& job : jobs) {
        std::string detail;
        if (job.state() == v1::RUNNING && job.progress().total_ms() > 0)
            detail = job.progress().phase() + format(" %.0f%%", 100.0 * job.progress().fraction());
        else
            detail = job.reason();
        if (detail.size() > 60)
            detail = detail.substr(0, 57) + "...";
        const std::string subject = (job.spec().has_simulation() ? "" : job_kind_name(job.spec()) + ": ")
            + job_subject(job.spec());
        out << std::left << std::setw(20) << job.id() << std::setw(11) << job_state_name(job.state())
            << std::setw(12) << job.owner() << std::setw(6) << std::max<std::uint32_t>(1, job.spec().resources().ranks())
            << std::setw(22) << time_text(job.created_at()) << std::setw(20) << subject.substr(0, 19) << detail << "\n";
    }
}

} // namespace dtb::service
