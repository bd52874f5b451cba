/**
 * The report's header section: what was evaluated (models and how each was adapted, data), the
 * protocol choices, deviations from the reference protocol, failed images, warnings, and credits.
 */
import type { ResultsFile } from '../../core/results.js';
import { describeEmpty, recordedEmptyEntries } from '../../core/scored.js';
import { formatCount } from '../format.js';
import { esc, html, keyValueTable, linkify } from '../html.js';
import {
  adaptationText,
  citationLines,
  datasetListings,
  type EntryField,
  entryText,
  otherFields,
  protocolChoices,
  subsetOf,
  trainingText,
} from '../meta.js';
import { distinct, headlineTau, isGapRow } from '../rows.js';
import { summarizeWarnings } from '../warnings.js';

const MODEL_SHOWN: EntryField[] = [
  'name',
  'license',
  'source',
  'citation',
  'adaptation',
  'adaptationDetail',
  'training',
];
const DATASET_SHOWN: EntryField[] = ['name', 'license', 'source', 'citation', 'images', 'note'];

function fact(label: string, value: number, alert = false): string {
  return html`<div class="fact${alert && value > 0 ? ' fact-alert' : ''}"><span class="fact-value">${formatCount(value)}</span><span class="fact-label">${esc(label)}</span></div>`;
}

/** Protocol choices: the file's `extra.protocol` entries, then what the rows themselves show. */
export function derivedProtocolChoices(results: ResultsFile): [string, string][] {
  const rows = results.rows;
  const out: [string, string][] = [...protocolChoices(results)];
  const numbers = (pred: (p: Record<string, unknown>) => unknown) =>
    [...new Set(rows.map((r) => pred(r.params)).filter((v): v is number => typeof v === 'number'))].sort(
      (a, b) => a - b,
    );
  const la = rows.filter((r) => r.indicator === 'label-association');
  const taus = numbers((p) => (p.tau === undefined ? undefined : p.tau));
  if (taus.length > 0) {
    const head = headlineTau(la.length > 0 ? la : rows);
    out.push(['confidence thresholds τ', `${taus.join(', ')} (headline figures at τ = ${head})`]);
  }
  const ks = numbers((p) => p.k);
  if (ks.length > 0) out.push(['retrieval K', ks.join(', ')]);
  const severities = numbers((p) => p.severity);
  if (severities.length > 0) out.push(['corruption severities', severities.join(', ')]);
  const methods = distinct(
    rows.filter((r) => isGapRow(r) && r.params.method !== undefined),
    (r) => String(r.params.method),
  );
  if (methods.length > 0) out.push(['gap methods', methods.join(', ')]);
  const adaptations = Object.entries(results.models).map(
    ([id, e]) => `${id}: ${adaptationText(e) || 'not recorded'}`,
  );
  if (adaptations.length > 0) out.push(['adaptation per model', adaptations.join('; ')]);
  return out;
}

export function overviewSection(results: ResultsFile, models: string[]): string {
  const warnings = summarizeWarnings(results.rows);
  const warnedRows = results.rows.filter((r) => r.warnings.length > 0).length;
  const listings = datasetListings(results);
  const empty = recordedEmptyEntries(results.extra);

  const facts = html`<div class="facts">
${fact('models', models.length)}${fact('datasets', listings.filter((l) => l.entry !== undefined || l.derived === '').length)}${fact('result rows', results.rows.length)}${fact('deviations from protocol', results.deviations.length, true)}${fact('failed images', results.failures.length, true)}${fact('rows with warnings', warnedRows, true)}${empty.length > 0 ? fact('entries that scored nothing', empty.length, true) : ''}
</div>`;
  // Allowed by --allow-empty, never silent: first thing in the header.
  const emptyHtml =
    empty.length === 0
      ? ''
      : html`<div class="callout callout-warn" id="empty-entries"><p><strong>${formatCount(empty.length)} evaluation(s) scored nothing</strong> (allowed by --allow-empty or allowEmpty in the spec): their rows hold no value, and the sections below say nothing about them.</p><ul>${empty.map((e) => html`<li>${esc(describeEmpty(e))}</li>`).join('')}</ul></div>`;

  const modelRows = models.map((m) => {
    const e = results.models[m];
    const training = trainingText(e);
    const fields: [string, string][] = [...(training ? [['training', training] as [string, string]] : [])];
    const details = [...fields, ...otherFields(e, MODEL_SHOWN)]
      .map(([k, v]) => html`<li><span class="k">${esc(k)}</span> ${esc(v)}</li>`)
      .join('');
    return html`<tr><th scope="row"><code>${esc(m)}</code>${entryText(e, 'name') && entryText(e, 'name') !== m ? html`<div class="sub">${esc(entryText(e, 'name'))}</div>` : ''}</th><td>${esc(adaptationText(e) || 'not recorded')}</td><td>${details ? html`<ul class="plain">${details}</ul>` : '—'}</td></tr>`;
  });
  const modelsTable = html`<div class="table-wrap"><table class="info-table"><thead><tr><th scope="col">model</th><th scope="col">how it was adapted</th><th scope="col">details</th></tr></thead><tbody>${modelRows.join('')}</tbody></table></div>`;

  const dataRows = listings.map((l) => {
    const e = l.entry;
    const images = entryText(e, 'images');
    const used = distinct(
      results.rows.filter((r) => r.dataset !== undefined && l.ids.includes(r.dataset)),
      (r) => r.indicator,
    );
    const note = entryText(e, 'note');
    const details = otherFields(e, DATASET_SHOWN)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    const missing = e === undefined && l.derived === '';
    return html`<tr><th scope="row"><code>${esc(l.id)}</code>${missing ? '<div class="sub warn-text">no dataset entry in results.json</div>' : ''}</th><td>${esc((entryText(e, 'name') === l.id ? '' : entryText(e, 'name')) || l.derived)}${details ? html`<div class="sub">${esc(details)}</div>` : ''}${note ? html`<div class="note">${esc(note)}</div>` : ''}</td><td class="num">${images === '' || Number.isNaN(Number(images)) ? esc(images) : formatCount(Number(images))}</td><td>${esc(used.join(', '))}</td></tr>`;
  });
  const dataTable = html`<div class="table-wrap"><table class="info-table"><thead><tr><th scope="col">dataset</th><th scope="col">description</th><th scope="col" class="num">images</th><th scope="col">used by</th></tr></thead><tbody>${dataRows.join('')}</tbody></table></div>`;

  const choices = derivedProtocolChoices(results);
  const protocol = choices.length === 0 ? '<p>No protocol choices recorded.</p>' : keyValueTable(choices);

  const deviations =
    results.deviations.length === 0
      ? '<p class="ok-text">None recorded: the run follows the reference protocol.</p>'
      : html`<div class="callout callout-warn"><ul>${results.deviations.map((d) => html`<li>${esc(d)}</li>`).join('')}</ul></div>`;

  // Notes of the spec and of the stages (labels never predicted, items left out...): facts a reader
  // of the numbers should know, shown as written (a list of strings in results.extra.notes).
  const extraNotes = results.extra.notes;
  const noteList = Array.isArray(extraNotes)
    ? extraNotes.filter((n): n is string => typeof n === 'string')
    : [];
  const notesHtml =
    noteList.length === 0
      ? ''
      : html`<h3 id="notes">Notes</h3>${
          noteList.length > 12
            ? html`<details><summary>${formatCount(noteList.length)} notes on the data and the evaluations</summary><ul>${noteList.map((n) => html`<li>${esc(n)}</li>`).join('')}</ul></details>`
            : html`<ul>${noteList.map((n) => html`<li>${esc(n)}</li>`).join('')}</ul>`
        }`;

  const byDataset = [...new Set(results.failures.map((f) => f.dataset))].map(
    (d) => `${d}: ${results.failures.filter((f) => f.dataset === d).length}`,
  );
  const failureRows = results.failures.map(
    (f) =>
      html`<tr><td><code>${esc(f.dataset)}</code></td><td><code>${esc(f.id)}</code></td><td>${esc(f.reason)}</td></tr>`,
  );
  const failureTable = html`<div class="table-wrap"><table class="info-table"><thead><tr><th scope="col">dataset</th><th scope="col">image</th><th scope="col">reason</th></tr></thead><tbody>${failureRows.join('')}</tbody></table></div>`;
  const failures =
    results.failures.length === 0
      ? '<p class="ok-text">None: every image was decoded and used.</p>'
      : html`<p>${formatCount(results.failures.length)} image(s) could not be used (${esc(byDataset.join(', '))}). They are excluded from every metric, never replaced by a placeholder image.</p>${
          results.failures.length > 10
            ? html`<details><summary>List of failed images</summary>${failureTable}</details>`
            : failureTable
        }`;

  const warningRows = warnings.map(
    (w) =>
      html`<tr><td>${esc(w.kind)}</td><td class="num">${formatCount(w.rows)}</td><td>${esc(w.where)}${w.detail ? html`<div class="sub">${esc(w.detail)}</div>` : ''}</td></tr>`,
  );
  const warningsHtml =
    warnings.length === 0
      ? '<p class="ok-text">No result carries a warning.</p>'
      : html`<p>${formatCount(warnedRows)} of ${formatCount(results.rows.length)} rows carry a warning, of ${warnings.length} kinds. Values marked ⚠ (tables) or ▲ (charts) rest on few images or few independent clusters: their intervals are wide and their point values unreliable. Each row’s own warnings are in results.json.</p><div class="table-wrap"><table class="info-table warnings-table"><thead><tr><th scope="col">warning</th><th scope="col" class="num">rows</th><th scope="col">where (most frequent metrics first)</th></tr></thead><tbody>${warningRows.join('')}</tbody></table></div>`;

  return html`<section id="overview" class="section">
<h2>About this audit</h2>
${emptyHtml}
${facts}
<h3 id="models">Models and how they were adapted</h3>
${modelsTable}
<h3 id="data">Data</h3>
${dataTable}
<h3 id="protocol">Protocol choices</h3>
${protocol}
<h3 id="deviations">Deviations from the reference protocol</h3>
${deviations}
${notesHtml}
<h3 id="failures">Failed images</h3>
${failures}
<h3 id="warnings">Small groups and other warnings</h3>
${warningsHtml}
<h3 id="credits">Credits and licences</h3>
${creditsHtml(
  results,
  models,
  listings.filter((l) => l.entry !== undefined || l.derived === '').map((l) => l.id),
)}
</section>`;
}

function creditsHtml(results: ResultsFile, models: string[], datasetIds: string[]): string {
  const line = (id: string, e: Record<string, unknown> | undefined, kind: string) => {
    const name = entryText(e, 'name') || id;
    const licence = entryText(e, 'license');
    const source = entryText(e, 'source');
    const lines = [...citationLines(e), source].filter((x) => x !== '');
    const sources =
      lines.length > 1
        ? html`<ul class="plain credits">${lines.map((x) => html`<li>${linkify(x)}</li>`).join('')}</ul>`
        : lines.map(linkify).join('');
    return html`<tr><td>${esc(kind)}</td><th scope="row">${esc(name)}${name === id ? '' : html` <code>${esc(id)}</code>`}</th><td>${licence ? esc(licence) : '<span class="warn-text">licence not recorded</span>'}</td><td>${sources}</td></tr>`;
  };
  // Subsets of a documented dataset share its licence and credits: named once under it.
  const subsets = datasetIds.filter((d) => subsetOf(results, results.datasets[d]) !== '');
  const rows = [
    ...models.map((m) => line(m, results.models[m], 'model')),
    ...datasetIds.filter((d) => !subsets.includes(d)).map((d) => line(d, results.datasets[d], 'dataset')),
  ];
  const subsetNote =
    subsets.length === 0
      ? ''
      : html`<p class="small">Subsets with the licence and credits of the dataset they come from: ${esc(subsets.map((d) => `${d} (of ${subsetOf(results, results.datasets[d])})`).join(', '))}.</p>`;
  return html`<div class="table-wrap"><table class="info-table"><thead><tr><th scope="col">kind</th><th scope="col">name</th><th scope="col">licence</th><th scope="col">source and citation</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${subsetNote}
<p class="small">Charts: Vega-Lite and Vega (BSD-3-Clause), rendered to static SVG when the report was built. Protocols: Goyal et al., <em>Fairness Indicators for Systematic Assessments of Visual Feature Extractors</em>, FAccT 2022; Goyal et al., SEER (arXiv 2103.01988, 2202.08360).</p>`;
}
