"""report.html: one page, no scripts, no external resources. Figures are
referenced by relative path (they sit next to the page in the report
directory, which is moved and served as a whole)."""
import html
import os

# summary.json fields in table order, with units; other fields follow as they come.
SUMMARY_FIELDS = [
    ("model", "model file", ""), ("neurons", "neurons", ""), ("synapses", "synapses", ""),
    ("dt_ms", "time step", "ms"), ("t_stop_ms", "recorded time", "ms"), ("warmup_ms", "warm-up", "ms"),
    ("seed", "seed", ""), ("ranks", "MPI ranks", ""), ("backend", "Kokkos backend", ""),
    ("build_s", "network construction", "s"), ("sim_s", "simulation wall-clock", "s"),
    ("rtf", "real-time factor", ""), ("synapse_bytes", "synapse memory", "bytes"),
    ("bytes_per_synapse", "bytes per synapse", "B"), ("peak_rss_bytes", "peak resident memory", "bytes"),
    ("spike_count", "spikes", ""), ("spikes_digest", "spike digest", ""),
]

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1250px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; }
figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #444; max-width: 1200px; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
.note { background: #fff8e0; border-left: 4px solid #e0b000; padding: 0.4em 0.8em; }
"""


def _format(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _summary_table(record):
    rows = []
    known = set()
    for key, label, unit in SUMMARY_FIELDS:
        known.add(key)
        if key in record:
            rows.append((label, _format(record[key], unit)))
    for key, value in record.items():
        if key not in known and key != "populations" and not isinstance(value, (dict, list)):
            rows.append((key, _format(value)))
    body = "\n".join(f"<tr><th class=text>{html.escape(label)}</th><td class=text>{html.escape(text)}</td></tr>"
                     for label, text in rows)
    return f"<table>\n{body}\n</table>"


def _population_table(populations):
    columns = [("name", "population", ""), ("size", "neurons", ""), ("spike_count", "spikes", ""),
               ("rate_hz", "rate (Hz)", ""), ("cv_isi", "mean ISI CV", ""),
               ("neurons_with_cv", "neurons with CV", ""), ("silent_fraction", "silent", "%"),
               ("summary_rate_hz", "rate in summary.json (Hz)", ""),
               ("summary_cv_isi", "CV in summary.json", ""), ("rates_file_mean_hz", "mean of rates.h5 (Hz)", "")]
    head = "".join(f"<th{' class=text' if key == 'name' else ''}>{html.escape(label)}</th>"
                   for key, label, _ in columns)
    rows = []
    for p in populations:
        cells = []
        for key, _, unit in columns:
            value = p.get(key)
            if unit == "%" and value is not None:
                value = 100.0 * value
            text = html.escape(_format(value, unit))
            cells.append(f"<td class=text>{text}</td>" if key == "name" else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>\n<tr>" + head + "</tr>\n" + "\n".join(rows) + "\n</table>"


def _figure(figure):
    return (f'<figure id="{html.escape(os.path.splitext(figure.file)[0])}">\n'
            f'<img src="{html.escape(figure.file)}" width="{figure.width_px}" height="{figure.height_px}" '
            f'alt="{html.escape(figure.title)}">\n'
            f"<figcaption><b>{html.escape(figure.title)}.</b> {html.escape(figure.caption)}</figcaption>\n"
            "</figure>")


def _brain_section(brain):
    rows = []
    for r in brain["regions"]:
        cells = [_format(r["label"]), r["name"] or "", _format(r["voxels"]), _format(r["neurons"]),
                 _format(r["spike_count"]), _format(r["rate_hz"]), _format(r["rate_e_hz"]), _format(r["rate_i_hz"])]
        rows.append("<tr>" + "".join(f"<td{' class=text' if i == 1 else ''}>{html.escape(c)}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("label", "region", "voxels", "neurons", "spikes", "rate (Hz)",
                                             "E rate (Hz)", "I rate (Hz)"))
    return [f"<h2>Brain regions</h2>",
            f"<p>{brain['voxels']:,} voxels in {len(brain['regions']):,} regions, from "
            f"<code>{html.escape(brain['arrays'])}</code>. Rate = spikes / (neurons × recorded seconds).</p>",
            "<table>\n<tr>" + head + "</tr>\n" + "\n".join(rows) + "\n</table>"]


def _assimilation_section(a):
    rows = [("regions", _format(a["regions"])), ("TRs", _format(a["trs"])), ("TR", _format(a["tr_ms"], "ms")),
            ("warm-up TRs", _format(a["warmup_trs"]))]
    for series in ("forecast", "analysis", "replay"):
        rows.append((f"{series}: mean BOLD corr with observed", _format(a["bold_corr"][series])))
        rows.append((f"{series}: FC correlation with observed", _format(a["fc_corr"][series])))
    table = "\n".join(f"<tr><th class=text>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    parts = ["<h2>Assimilation</h2>", f"<table>\n{table}\n</table>"]
    for h in a["hyperparameters"]:
        head = "<tr><th>voxel</th><th>final mean</th><th>final spread</th><th>truth</th><th>relative error</th></tr>"
        body = []
        for k, voxel in enumerate(h["estimated_voxels"]):
            truth = h["truth"][k] if h["truth"] else None
            error = h["rel_error"][k] if h["rel_error"] else None
            body.append("<tr>" + "".join(f"<td>{html.escape(_format(v))}</td>" for v in
                                         (voxel, h["final_mean"][k], h["final_spread"][k], truth, error)) + "</tr>")
        parts += [f"<p>Hyperparameter <b>{html.escape(h['name'])}</b> (bounds {html.escape(_format(h['low']))} .. "
                  f"{html.escape(_format(h['high']))}):</p>", "<table>\n" + head + "\n" + "\n".join(body) + "\n</table>"]
    return parts


def write_report_page(path, run_dir, summary_record, populations, figures, notes, brain=None, assimilation=None):
    title = f"dtb report: {os.path.basename(os.path.abspath(run_dir))}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Run directory: <code>{html.escape(os.path.abspath(run_dir))}</code>. "
        "How to read this page: <code>docs/report.md</code> in the dtb repository. "
        "The numbers are also in <a href=\"report.json\">report.json</a>.</p>",
    ]
    parts += [f'<p class="note">{html.escape(note)}</p>' for note in notes]
    parts += ["<h2>Run summary</h2>", _summary_table(summary_record)]
    if populations:
        parts += ["<h2>Populations</h2>",
                  "<p>Rates and CVs computed by this report from spikes.h5, next to the values "
                  "<code>dtb run</code> wrote into summary.json and the mean of rates.h5; they should agree.</p>",
                  _population_table(populations)]
    if brain:
        parts += _brain_section(brain)
    if assimilation:
        parts += _assimilation_section(assimilation)
    if figures:
        parts.append("<h2>Figures</h2>")
        parts += [_figure(f) for f in figures]
    parts += ["</body>", "</html>", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
