// The sandbox page's stylesheet and its one small script, sent inline under a per-response CSP nonce (kept as
// strings in TypeScript so the tsc build and tsx run carry them without copying assets). No imports.

export const pageStyle = `
:root{--ink:#201f1e;--muted:#605e5c;--line:#e1dfdd;--soft:#f3f2f1;--accent:#0f6cbd;--accent-soft:#ebf3fc;--ok:#107c10;--warn:#bc4b09;--bad:#c50f1f}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;color:var(--ink);background:var(--soft)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:20px;margin:0 0 2px;font-weight:600}h2{font-size:13px;margin:0 0 8px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
h3{font-size:15px;margin:0 0 6px;font-weight:600}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:10px 20px;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:600;font-size:16px}.brand small{font-weight:400;color:var(--muted);margin-left:6px;font-size:13px}
.clock{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin-left:auto}
.clock time{font-variant-numeric:tabular-nums;font-weight:600}.clock .zone{color:var(--muted);font-size:12px}
.layout{display:grid;grid-template-columns:320px minmax(0,1fr);gap:16px;padding:16px 20px;align-items:start}
@media (max-width:900px){.layout{grid-template-columns:1fr}.layout aside{display:contents}.layout aside>.panel{order:2}.layout aside>.panel.users-panel{order:0}.layout main{order:1}}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 16px;margin-bottom:16px}
.muted{color:var(--muted)}.small{font-size:12px}
.users{list-style:none;margin:0;padding:0}
.users li a{display:block;padding:7px 8px;border-radius:4px;color:inherit}
.users li a:hover{background:var(--soft);text-decoration:none}
.users li a[aria-current=page]{background:var(--accent-soft);box-shadow:inset 3px 0 0 var(--accent)}
.users .name{font-weight:600}.users .meta{display:block;font-size:12px;color:var(--muted)}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11px;line-height:18px;font-weight:600;background:var(--soft);color:var(--muted);vertical-align:1px;white-space:nowrap}
.badge.on,.badge.accepted{background:#dff6dd;color:var(--ok)}.badge.warn,.badge.tentative,.badge.tentativelyAccepted{background:#fdf0e3;color:var(--warn)}
.badge.bad,.badge.declined,.badge.oof{background:#fde7e9;color:var(--bad)}.badge.busy{background:var(--accent-soft);color:var(--accent)}
.badge.handoff{background:#f1e9fb;color:#6b2fa0}.badge.count{background:var(--accent);color:#fff}
.user-head{display:flex;flex-wrap:wrap;align-items:flex-start;justify-content:space-between;gap:8px 16px;margin-bottom:12px}
.tabs{display:flex;gap:4px;border-bottom:1px solid var(--line);margin:0 0 12px}
.tabs a{padding:7px 12px;color:var(--muted);border-bottom:2px solid transparent;margin-bottom:-1px}
.tabs a[aria-current=page]{color:var(--ink);border-color:var(--accent);font-weight:600}.tabs a:hover{text-decoration:none;color:var(--ink)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;font-weight:600;color:var(--muted)}
tr.unread td{font-weight:600}tr.selected td{background:var(--accent-soft)}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums;color:var(--muted);width:1%}
td.who{width:28%;overflow-wrap:anywhere}td.subject a{color:inherit;display:block}
.message{margin-top:16px;border-top:2px solid var(--line);padding-top:12px}
dl.fields{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:0 0 10px;font-size:13px}
dl.fields dt{color:var(--muted)}dl.fields dd{margin:0;overflow-wrap:anywhere}
pre.body{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;background:var(--soft);border-radius:4px;padding:10px 12px;margin:8px 0 12px;max-height:420px;overflow:auto}
.day{margin:14px 0 4px;font-weight:600;font-size:13px;color:var(--muted)}
.event{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:4px;padding:8px 10px;margin:0 0 6px;background:#fff}
.event.free{border-left-color:#c8c6c4}.event.tentative{border-left-color:var(--warn)}.event.oof{border-left-color:var(--bad)}
.event.cancelled{opacity:.65}.event.cancelled .title{text-decoration:line-through}
.event.conflict{background:#fff8f6;border-top-color:#f1bbbc;border-right-color:#f1bbbc;border-bottom-color:#f1bbbc}.event.focus{box-shadow:0 0 0 2px var(--accent)}
.event .head{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}.event .time{font-variant-numeric:tabular-nums;font-weight:600;min-width:104px}
.event .title{font-weight:600}.event .meta{font-size:12px;color:var(--muted);margin-top:2px}
.conflict-note{color:var(--bad);font-size:12px;font-weight:600;margin-top:2px}
details{margin-top:6px}summary{cursor:pointer;color:var(--accent);font-size:13px}
form{margin:0}form.inline{display:inline}
.form{display:grid;gap:8px;margin-top:8px;max-width:640px}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:end}
label{display:grid;gap:2px;font-size:12px;color:var(--muted)}label.check{display:flex;align-items:center;gap:6px;font-size:13px;color:var(--ink)}
input,select,textarea{font:inherit;color:inherit;padding:5px 8px;border:1px solid #c8c6c4;border-radius:4px;background:#fff;min-width:0}
input[type=checkbox]{padding:0}input.num{width:84px}
textarea{min-height:64px;resize:vertical;width:100%}
button{font:inherit;font-size:13px;padding:5px 12px;border-radius:4px;border:1px solid #c8c6c4;background:#fff;color:var(--ink);cursor:pointer}
button:hover{background:var(--soft)}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.primary:hover{background:#115ea3}
button.danger{color:var(--bad);border-color:#f1bbbc}button.danger:hover{background:#fde7e9}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
.flash{margin:12px 20px 0;padding:8px 12px;border-radius:4px;border:1px solid}
.flash.ok{background:#f1faf1;border-color:#9fd89f;color:#0e700e}.flash.error{background:#fdf3f4;border-color:#eeacb2;color:#b10e1c}
.switch{border-top:1px solid var(--line);padding:10px 0 8px}.switch:first-of-type{border-top:0;padding-top:0}
.switch .state{float:right}.switch .row{margin-top:6px}
.kv{display:grid;grid-template-columns:minmax(0,1fr) max-content;gap:2px 10px;font-size:12px;margin:0}
.kv dt{overflow-wrap:anywhere;color:var(--muted)}.kv dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.empty{color:var(--muted);padding:16px 0}
.meeting{border:1px solid var(--line);border-radius:4px;padding:8px 12px;margin:8px 0}.meeting p{margin:4px 0}
.solo{max-width:720px;margin:40px auto;padding:0 20px}
hr{border:0;border-top:1px solid var(--line);margin:10px 0}
`;

/** Ticks the header clock from the sandbox time at render; asks before destructive forms. */
export const pageScript = `
(function () {
  var el = document.getElementById('clock');
  if (el) {
    var base = Number(el.getAttribute('data-ms'));
    var zone = el.getAttribute('data-zone') || 'UTC';
    var loaded = Date.now();
    var fmt;
    try { fmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone }); }
    catch (e) { fmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }); }
    var tick = function () { el.textContent = fmt.format(new Date(base + Date.now() - loaded)); };
    tick();
    setInterval(tick, 1000);
  }
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      if (!window.confirm(form.getAttribute('data-confirm') || 'Sure?')) ev.preventDefault();
    });
  });
})();
`;
