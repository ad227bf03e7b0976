// A self-contained HTML page (no network access) that steps through a counterexample: at each
// step, where every process is, what the step changed of the state the violated invariant
// reads, and that state; on the last step the violated invariant is highlighted.

import type { Model, Violation } from '../explorer/index.ts';
import { stepViews } from './trace-views.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function htmlTrace<G, L>(model: Model<G, L>, v: Violation, title: string): string {
  const data = {
    title,
    invariant: v.invariant,
    statement: v.statement,
    message: v.message,
    loopsFrom: v.trace.loopsFrom ?? null,
    processes: model.processes.map((p) => p.name),
    steps: stepViews(model, v),
  };
  // `</` cannot close the script element when the JSON is embedded.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.2em; } code, pre { font: 13px ui-monospace, monospace; }
#controls button { margin-right: .4em; }
table { border-collapse: collapse; margin: .8em 0; } td, th { border: 1px solid #ccc; padding: .2em .6em; text-align: left; }
tr.moved td { background: #fff3c4; }
#violation { margin-top: 1em; padding: .6em; border: 2px solid #ccc; color: #777; }
#violation.violated { border-color: #c00; color: #900; background: #fee; }
pre { background: #f6f6f6; padding: .6em; overflow: auto; max-height: 20em; }
</style></head>
<body>
<h1>${esc(title)}</h1>
<div id="controls">
  <button id="first">|&lt;</button><button id="prev">&lt; prev</button><button id="next">next &gt;</button><button id="last">&gt;|</button>
  <span id="position"></span>
</div>
<p id="step"></p>
<table><thead><tr><th>process</th><th>at</th></tr></thead><tbody id="procs"></tbody></table>
<div><b>changed</b><ul id="changes"></ul></div>
<div><b>state the invariant reads</b><pre id="state"></pre></div>
<div id="violation"></div>
<script type="application/json" id="trace-data">${json}</script>
<script>
(function () {
  const d = JSON.parse(document.getElementById('trace-data').textContent);
  let i = 0; // 0: the initial state; k: after step k
  const n = d.steps.length;
  const $ = (id) => document.getElementById(id);
  function show() {
    $('position').textContent = 'step ' + i + ' of ' + n;
    const s = i > 0 ? d.steps[i - 1] : null;
    $('step').textContent = s ? s.process + ' ' + s.label + ' - ' + s.kernelFn + (d.loopsFrom !== null && i - 1 >= d.loopsFrom ? ' (in the cycle that repeats forever)' : '') : 'initial state';
    const pcs = s ? s.pcsAfter : d.steps.length ? d.steps[0].pcsBefore : [];
    $('procs').innerHTML = '';
    d.processes.forEach(function (p, k) {
      const tr = document.createElement('tr');
      if (s && s.process === p) tr.className = 'moved';
      tr.innerHTML = '<td></td><td></td>';
      tr.children[0].textContent = p; tr.children[1].textContent = pcs[k];
      $('procs').appendChild(tr);
    });
    $('changes').innerHTML = '';
    (s ? s.changes : []).forEach(function (c) { const li = document.createElement('li'); li.textContent = c; $('changes').appendChild(li); });
    $('state').textContent = JSON.stringify(s ? s.stateAfter : d.steps.length ? d.steps[0].stateBefore : {}, null, 1);
    const v = $('violation');
    v.className = i === n ? 'violated' : '';
    v.textContent = (i === n ? 'violated: ' : 'at the end: ') + d.invariant + ' - ' + d.statement + (i === n ? ' (' + d.message + ')' : '');
    $('first').disabled = $('prev').disabled = i === 0;
    $('next').disabled = $('last').disabled = i === n;
  }
  $('first').onclick = function () { i = 0; show(); };
  $('prev').onclick = function () { if (i > 0) i--; show(); };
  $('next').onclick = function () { if (i < n) i++; show(); };
  $('last').onclick = function () { i = n; show(); };
  document.addEventListener('keydown', function (e) { if (e.key === 'ArrowRight') $('next').onclick(); if (e.key === 'ArrowLeft') $('prev').onclick(); });
  show();
})();
</script>
</body></html>
`;
}
