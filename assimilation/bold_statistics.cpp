#include "assimilation/bold_statistics.hpp"

#include <cmath>
#include <limits>

namespace dtb::assimilation {

namespace {

std::vector<double> window(const std::vector<double>& series, std::size_t region, std::size_t trs, std::size_t first)
{
    return std::vector<double>(series.begin() + static_cast<std::ptrdiff_t>(region * trs + first),
        series.begin() + static_cast<std::ptrdiff_t>((region + 1) * trs));
}

std::vector<double> fc_upper_triangle(const std::vector<double>& series, std::size_t regions, std::size_t trs,
    std::size_t first)
{
    std::vector<double> out;
    for (std::size_t a = 0; a < regions; ++a)
        for (std::size_t b = a + 1; b < regions; ++b)
            out.push_back(pearson(window(series, a, trs, first), window(series, b, trs, first)));
    return out;
}

} // namespace

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const std::size_t n = a.size();
    if (n < 2 || b.size() != n)
        return std::numeric_limits<double>::quiet_NaN();
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (!(saa > 0) || !(sbb > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

std::vector<double> region_correlations(const std::vector<double>& observed, const std::vector<double>& model,
    std::size_t regions, std::size_t trs, std::size_t first_tr)
{
    std::vector<double> out;
    for (std::size_t r = 0; r < regions; ++r)
        out.push_back(pearson(window(observed, r, trs, first_tr), window(model, r, trs, first_tr)));
    return out;
}

double finite_mean(const std::vector<double>& values)
{
    double sum = 0;
    std::size_t n = 0;
    for (const double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / double(n) : std::numeric_limits<double>::quiet_NaN();
}

double fc_correlation(const std::vector<double>& observed, const std::vector<double>& model, std::size_t regions,
    std::size_t trs, std::size_t first_tr)
{
    auto a = fc_upper_triangle(observed, regions, trs, first_tr);
    auto b = fc_upper_triangle(model, regions, trs, first_tr);
    std::vector<double> fa, fb;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::isfinite(a[i]) && std::isfinite(b[i])) {
            fa.push_back(a[i]);
            fb.push_back(b[i]);
        }
    return pearson(fa, fb);
}

} // namespace dtb::assimilation
