"use strict";
// report.html's only script: sortable tables, the theme button, and #selftest for
// scripts/check-html.sh. No dependency, no request.

// A cell's sort key: its leading number ("1,234.5 ± 2" → 1234.5), else its text; a dash or
// an empty cell is null and sorts last either way.
function key(cell) {
  const s = cell.textContent.replace(/[,\u202f\u00a0\s]/g, "");
  const m = s.match(/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i);
  if (m) return parseFloat(m[0]);
  return s === "–" || s === "" ? null : s.toLowerCase();
}

function compare(x, y) {
  if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortBy(table, col, th) {
  const up = th.getAttribute("aria-sort") !== "ascending";
  for (const c of th.parentNode.cells) c.setAttribute("aria-sort", "none");
  th.setAttribute("aria-sort", up ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a.cells[col]);
    const y = key(b.cells[col]);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return up ? compare(x, y) : -compare(x, y);
  });
  for (const r of rows) body.appendChild(r);
}

for (const table of document.querySelectorAll("table")) {
  if (!table.tHead || !table.tBodies.length) continue;
  Array.from(table.tHead.rows[0].cells).forEach((th, col) => {
    th.tabIndex = 0;
    th.setAttribute("aria-sort", "none");
    th.addEventListener("click", () => sortBy(table, col, th));
    th.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        sortBy(table, col, th);
      }
    });
  });
}

// Dots take focus, so that a keyboard or a tap shows their tooltip.
for (const c of document.querySelectorAll("svg.strip circle")) c.setAttribute("tabindex", "0");

document.getElementById("theme").addEventListener("click", () => {
  const root = document.documentElement;
  const dark = root.dataset.theme
    ? root.dataset.theme === "dark"
    : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "light" : "dark";
});

// #selftest: sort the first table with a column of numbers in every row by that column, as a
// click would, and say in body[data-selftest] whether the rows came out in order.
if (location.hash === "#selftest") {
  let verdict = "no table with a numeric column";
  for (const table of document.querySelectorAll("table")) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 3) continue;
    const rows = () => Array.from(table.tBodies[0].rows);
    const ths = Array.from(table.tHead.rows[0].cells);
    const col = ths.findIndex((th, i) => {
      const v = rows().map((r) => key(r.cells[i]));
      return v.every((x) => typeof x === "number") && new Set(v).size > 1;
    });
    if (col < 0) continue;
    ths[col].click();
    const v = rows().map((r) => key(r.cells[col]));
    const sorted = v.every((x, i) => i === 0 || v[i - 1] <= x);
    verdict = sorted ? "ok" : "rows out of order: " + v.join(",");
    break;
  }
  document.body.dataset.selftest = verdict;
}
